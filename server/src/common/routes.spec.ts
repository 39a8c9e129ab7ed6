import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner } from '@nestjs/core';
import { ROUTES } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import type { AppConfig } from '../config/app-config';

/** Only what AppModule.forRoot reads while listing its modules; nothing connects. */
const config = { database: { uri: 'mongodb://127.0.0.1:1/routes-spec', operationTimeoutMs: 1000 } } as AppConfig & {
  database: { uri: string };
};

/** The controllers the app registers: every module reachable from AppModule, static and dynamic. */
function registeredControllers(root: DynamicModule): Type[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Type>();
  const visit = (entry: Type | DynamicModule): void => {
    if (seen.has(entry)) return;
    seen.add(entry);
    const dynamic = 'module' in entry ? entry : undefined;
    const moduleClass = dynamic ? dynamic.module : (entry as Type);
    const listed = (key: string): unknown[] => Reflect.getMetadata(key, moduleClass) ?? [];
    for (const controller of [...listed(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      controllers.add(controller as Type);
    }
    for (const imported of [...listed(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) visit(imported as Type | DynamicModule);
  };
  visit(root);
  return [...controllers];
}

/** As Nest joins them: the controller's path, then the handler's (createApp sets no global prefix). */
function joinPaths(...parts: string[]): string {
  const path = `/${parts.join('/')}`.replace(/\/+/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

/** "METHOD /path" for every handler of the controller. */
function handlerRoutes(controller: Type): string[] {
  const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
  const prototype = controller.prototype as Record<string, object>;
  return new MetadataScanner().getAllMethodNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
    if (paths === undefined) return [];
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    return prefixes.flatMap((prefix) => [paths].flat().map((path) => `${method} ${joinPaths(prefix, path)}`));
  });
}

describe('the shared route list', () => {
  it('is exactly what the registered controllers answer', () => {
    const registered = registeredControllers(AppModule.forRoot(config)).flatMap(handlerRoutes);
    const shared = Object.values(ROUTES).map((route) => `${route.method} ${route.path}`);

    expect(new Set(shared).size).toBe(shared.length);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual([...shared].sort());
  });
});
