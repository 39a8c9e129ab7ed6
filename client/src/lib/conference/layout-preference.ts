/** The grid or speaker view, as this browser last chose it (localStorage; grid without a choice). */
export type LayoutMode = 'grid' | 'speaker';

const STORAGE_KEY = 'konferenz.layout';

export function loadLayoutMode(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): LayoutMode {
  try {
    return storage?.getItem(STORAGE_KEY) === 'speaker' ? 'speaker' : 'grid';
  } catch {
    return 'grid'; // storage blocked (private mode, policy): the default does
  }
}

export function saveLayoutMode(mode: LayoutMode, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, mode);
  } catch {
    // not remembered, then; the choice still holds in this tab
  }
}
