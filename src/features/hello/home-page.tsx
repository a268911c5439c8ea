import { Link, useLoaderData } from 'react-router';
import { api } from '../../lib/api';
import { paths } from '../../lib/paths';

/** The protected resource. A 401 here ends the session everywhere (the API client reports it). */
export async function homeLoader() {
  const result = await api.hello();
  return { message: result.ok ? result.data.message : undefined };
}

export function HomePage({ username }: { username: string }) {
  const { message } = useLoaderData<typeof homeLoader>();
  return (
    <>
      <title>Home – Idle Session</title>
      <h1 tabIndex={-1}>{message ?? 'Home'}</h1>
      <p className="lead">
        You are signed in as <strong>{username}</strong>.
      </p>
      <section className="card" aria-labelledby="try-it">
        <h2 id="try-it">Try it</h2>
        <p>
          Stop using this page and a warning will count down before you are signed out. Move the mouse or type and you
          stay signed in, in every tab of this app.
        </p>
        <p>
          Write something in <Link to={paths.notes}>Notes</Link>: typing counts as activity, and what you have not saved
          yet is kept, also if you are signed out for inactivity.
        </p>
      </section>
    </>
  );
}
