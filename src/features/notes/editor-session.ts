import type { DraftRequest } from '../../../shared/contract';

/**
 * The Notes editor that is open now, if any, for the Sign out button (sign-out-button.tsx): it
 * asks about an unsaved draft before an explicit sign-out. The editor registers itself while
 * mounted; the button works without it (it asks the server then).
 */
export interface OpenEditor {
  /** True when the editor holds changes not saved as a note. */
  hasDraft(): boolean;
  /** Saves the draft on the server now (keep it for next time). */
  keepDraft(): Promise<void>;
  /** Stops saving drafts (the user chose to discard it); resolves when none is on its way. */
  dropDraft(): Promise<void>;
}

let openEditor: OpenEditor | undefined;

export function registerEditor(editor: OpenEditor): () => void {
  openEditor = editor;
  return () => {
    if (openEditor === editor) openEditor = undefined;
  };
}

export const currentEditor = () => openEditor;

export type EditorFields = DraftRequest;
