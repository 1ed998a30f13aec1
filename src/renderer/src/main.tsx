// The renderer's entry. startEarly comes first, so what the start route needs is asked for
// before react-dom's module code runs. The app mounts once the start route's view chunk is
// in (and, briefly, its first data: startEarly.ts), so the first screen shows that view at
// once, with no loading placeholder before it.
import { startReady } from './startEarly';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void startReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
