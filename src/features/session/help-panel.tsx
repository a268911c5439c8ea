import { useEffect, useId, useRef, useState } from 'react';

/** The help page, a static file of the app's own origin (public/help.html), framed only by the app. */
export const helpPageUrl = '/help.html';

/**
 * "Help" in the header: a panel with the help page in a same-origin iframe. Input inside it
 * counts as activity (frame-activity.ts), so reading and scrolling the help keeps the user
 * signed in. Focus moves to the panel when it opens and back to the button when it closes
 * (Close, or Escape anywhere in the panel).
 */
export function HelpPanel() {
  const [open, setOpen] = useState(false);
  const ids = { panel: useId(), heading: useId() };
  const button = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    if (open) heading.current?.focus();
    else if (wasOpen.current) button.current?.focus();
    wasOpen.current = open;
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        className="help-button"
        aria-expanded={open}
        aria-controls={ids.panel}
        onClick={() => setOpen((value) => !value)}
      >
        Help
      </button>
      <section
        id={ids.panel}
        className="help-panel"
        aria-labelledby={ids.heading}
        hidden={!open}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
        }}
      >
        <div className="help-panel-bar">
          <h2 id={ids.heading} ref={heading} tabIndex={-1}>
            Help
          </h2>
          <button type="button" className="button secondary small" onClick={() => setOpen(false)}>
            Close help
          </button>
        </div>
        {open && <iframe className="help-frame" src={helpPageUrl} title="Help: staying signed in and your notes" />}
      </section>
    </>
  );
}
