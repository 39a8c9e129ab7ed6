/** Where the copy button's text sits: selected for the user when the clipboard cannot be written. */
export interface SelectableField {
  select(): void;
}

/**
 * Copies through the clipboard API (`navigator.clipboard`, passed in). Where it is refused or
 * missing (an insecure origin has no `navigator.clipboard`; a denied permission rejects) the
 * field's text is selected instead, so the user copies it by hand: 'failed' tells the caller to
 * say so.
 */
export async function copyText(text: string, field: SelectableField | undefined, clipboard: Clipboard | undefined): Promise<'copied' | 'failed'> {
  try {
    if (!clipboard) throw new Error('no clipboard on this origin');
    await clipboard.writeText(text);
    return 'copied';
  } catch {
    field?.select();
    return 'failed';
  }
}
