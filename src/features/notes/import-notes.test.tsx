import { File as NodeFile } from 'node:buffer';
import { fireEvent, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderApp, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';
import { importFileProblem } from './use-notes-import';

async function openNotes() {
  await signInThroughApi();
  renderApp('/notes');
  await until(() => screen.queryByRole('heading', { name: 'Notes', level: 1 }) !== null, 'the Notes page');
}

/** Node's File, not jsdom's: the mock hands the body to the real server code, which reads Node Blobs only. */
function chooseFile(text: string, name = 'notes.md') {
  fireEvent.change(screen.getByLabelText('Notes file'), { target: { files: [new NodeFile([text], name)] } });
}

describe('Import notes', () => {
  beforeEach(() => useFakeClock());

  it('imports a file, one note per # heading, and lists them', async () => {
    await openNotes();
    chooseFile('# Groceries\nmilk\n# Ideas\nfly\n');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await until(() => screen.queryByText('Imported 2 notes.') !== null, 'the import to finish');
    await until(() => screen.queryByRole('button', { name: 'Open Ideas' }) !== null, 'the imported notes listed');
    expect(screen.getByRole('button', { name: 'Open Groceries' })).toBeVisible();
  });

  it('says which line is wrong, and imports nothing', async () => {
    await openNotes();
    chooseFile('# Fine\ntext\n#\n');
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByRole('alert')).toHaveTextContent(/Line 3: a "#" heading needs a title/);
    expect(screen.getByText('No saved notes yet.')).toBeVisible();
  });

  it('refuses a file of another type before sending it', () => {
    expect(importFileProblem(new File(['x'], 'photo.png'))).toBe('Choose a .txt or .md file.');
    expect(importFileProblem(new File([''], 'empty.txt'))).toBe('The file is empty.');
    expect(importFileProblem(new File(['# A'], 'notes.TXT'))).toBeUndefined();
  });
});
