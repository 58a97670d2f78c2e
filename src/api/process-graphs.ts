import { deleteProcessGraph, findProcessGraph, listProcessGraphs, upsertProcessGraph } from '../db/process-graphs.ts';
import { OpenEOError } from '../errors.ts';
import { param, userOf, type Handler } from './http.ts';
import { pageLinks, pageRequest } from './pagination.ts';

export const putProcessGraph: Handler = async (req, res, ctx) => {
  const user = userOf(req);
  const id = param(req, 'process_graph_id');
  if (ctx.processes.has(id)) {
    throw new OpenEOError('PredefinedProcessExists', `A predefined process with the identifier '${id}' exists; choose another id.`);
  }
  // The path's id replaces one in the body, as the spec asks: a process copied under a new name needs no edit.
  const process = { ...(req.body as Record<string, unknown>), id };
  await ctx.validateProcess(process, user.id, { requireValid: true });
  await upsertProcessGraph(ctx.db, user.id, id, process);
  res.status(200).end();
};

export const getProcessGraph: Handler = async (req, res, ctx) => {
  const id = param(req, 'process_graph_id');
  const stored = await findProcessGraph(ctx.db, userOf(req).id, id);
  if (!stored) throw new OpenEOError('ProcessGraphNotFound', `User-defined process '${id}' does not exist.`);
  res.json({ ...stored.process, id: stored.id });
};

export const listUserProcessGraphs: Handler = async (req, res, ctx) => {
  const { limit, cursor } = pageRequest<string>(req, ctx);
  const afterId = typeof cursor === 'string' ? cursor : undefined;
  const rows = await listProcessGraphs(ctx.db, userOf(req).id, limit === undefined ? undefined : limit + 1, afterId);
  const page = limit === undefined ? rows : rows.slice(0, limit);
  // The list shows each process without its graph, as the spec recommends for lists.
  const processes = page.map(({ id, process }) => {
    const { process_graph: _graph, ...rest } = process;
    return { ...rest, id };
  });
  res.json({ processes, links: pageLinks(req, ctx, limit, rows.length > page.length, () => page[page.length - 1].id) });
};

export const removeProcessGraph: Handler = async (req, res, ctx) => {
  const id = param(req, 'process_graph_id');
  if (!(await deleteProcessGraph(ctx.db, userOf(req).id, id))) {
    throw new OpenEOError('ProcessGraphNotFound', `User-defined process '${id}' does not exist.`);
  }
  res.status(204).end();
};
