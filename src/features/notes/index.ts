export { NotesPage } from './notes-page';
export { notesLoader } from './notes-loader';
export { SignOutButton } from './sign-out-button';
export { useUndeliveredDraft } from './unsent-draft';
