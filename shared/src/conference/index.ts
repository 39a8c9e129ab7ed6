export * from './roles';
export * from './room-settings';
export * from './join';
export * from './attributes';
export * from './chat';
export * from './invitation';
export * from './protocol';
export * from './test-hooks';
