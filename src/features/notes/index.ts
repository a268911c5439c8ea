export { NotesPage, notesLoader } from './notes-page';
export { SignOutButton } from './sign-out-button';
