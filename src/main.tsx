import { startApp } from './app/first-load';
import './styles.css';

const mockApi = import.meta.env.MODE === 'mock';

async function start() {
  // Mock mode answers /api/* in the browser with the real server code; the production build drops this branch.
  if (mockApi) await (await import('../mocks/browser')).startMockWorker();
  await startApp(document.getElementById('root')!, { mockApi });
}

void start();
