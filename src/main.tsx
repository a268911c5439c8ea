import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { createAppInstance } from './app/create-app';
import './styles.css';

const mockApi = import.meta.env.MODE === 'mock';

async function start() {
  // Mock mode answers /api/* in the browser with the real server code; the production build drops this branch.
  if (mockApi) await (await import('../mocks/browser')).startMockWorker();
  const { auth, router } = createAppInstance({ mockApi });
  createRoot(document.getElementById('root')!).render(<App auth={auth} router={router} />);
}

void start();
