import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';

/**
 * A modal alertdialog, the one pattern behind every question the app asks (the idle warning,
 * "Keep your unsaved note?", the password for a recent sign-in): opened with `showModal`, so the
 * page behind is inert; focus on `initialFocusRef` when it opens and back where it was when it
 * closes; Tab and Shift+Tab wrap between its fields and buttons; Escape calls `onEscape` and
 * never closes it silently. `description` is what a screen reader reads after the title;
 * `children` come after it (fields, actions, live regions). `role="dialog"` for one that asks
 * for input rather than an urgent answer.
 */
export function AlertDialog({
  open,
  title,
  description,
  initialFocusRef,
  onEscape,
  children,
  role = 'alertdialog',
}: {
  open: boolean;
  title: string;
  description: ReactNode;
  initialFocusRef: RefObject<HTMLElement | null>;
  onEscape: () => void;
  children: ReactNode;
  role?: 'alertdialog' | 'dialog';
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useModal(open, dialogRef, initialFocusRef);
  return (
    <dialog
      ref={dialogRef}
      role={role}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      className="alert-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onEscape();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Tab') keepFocusInside(event, dialogRef.current);
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <p id={descriptionId}>{description}</p>
      {children}
    </dialog>
  );
}

/** Opens the dialog as a modal with focus on `focusRef`, and gives focus back where it was when it closes. */
function useModal(
  open: boolean,
  dialogRef: RefObject<HTMLDialogElement | null>,
  focusRef: RefObject<HTMLElement | null>,
) {
  const returnFocusRef = useRef<Element | null>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnFocusRef.current = document.activeElement;
      dialog.showModal();
      focusRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const previous = returnFocusRef.current;
      returnFocusRef.current = null;
      if (previous instanceof HTMLElement && previous.isConnected) {
        // After a click on one of the dialog's buttons, Chromium's close() has already given focus
        // back to the field, yet keys typed there then inserted nothing (seen in Chromium 156;
        // notes.spec.ts). Focusing the field afresh makes them land.
        if (document.activeElement === previous) previous.blur();
        previous.focus();
      }
    }
  }, [open, dialogRef, focusRef]);
}

/**
 * Tab and Shift+Tab wrap between the dialog's first and last fields or buttons. A modal <dialog> already
 * makes the page inert, but browsers let Tab leave for their own toolbar; the pattern says wrap.
 */
function keepFocusInside(event: React.KeyboardEvent, dialog: HTMLDialogElement | null) {
  const buttons = dialog
    ? Array.from(dialog.querySelectorAll<HTMLElement>('input:not([disabled]), button:not([disabled])'))
    : [];
  if (buttons.length === 0) return;
  const first = buttons[0];
  const last = buttons[buttons.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
