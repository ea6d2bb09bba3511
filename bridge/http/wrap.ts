/** Express 4 does not catch a rejected async handler; this hands it to the error handler instead. */
import type { NextFunction, Request, Response } from 'express';

export type Handler = (req: Request, res: Response) => Promise<void> | void;
export type Wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void;

export const wrap: Wrap = (fn) => (req, res, next) => {
  Promise.resolve()
    .then(() => fn(req, res))
    .catch(next);
};
