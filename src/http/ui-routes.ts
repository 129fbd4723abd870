import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import { HttpError } from './http-error.js';

/**
 * dist/ui, built by `npm run build` from ui/. Two levels up from this module is the repository
 * root whether it runs compiled (dist/http) or as source under tests (src/http).
 */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The admin page at /ui: its hashed assets, and index.html for every client-side route. */
export function uiRoutes(dir = UI_DIR): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      index: false,
      // File names carry a content hash: a new build means new names.
      setHeaders: (res: Response) => res.setHeader('Cache-Control', IMMUTABLE),
    }),
  );
  router.use(express.static(dir, { index: false }));
  router.get('/{*route}', (req, res, next) => {
    // A missing file (anything with an extension) is a 404, not the page.
    if (path.extname(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'), (error) => {
      if (error) next(new HttpError(404, 'not_found', 'The admin page is not built; run `npm run build`'));
    });
  });
  return router;
}
