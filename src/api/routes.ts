import { basicCredentials, me, oidcProviders } from './account.ts';
import { fileFormats, getCollection, getQueryables, listCollections, listProcesses, validate } from './catalog.ts';
import { capabilities, conformance, wellKnown } from './discovery.ts';
import type { Route } from './http.ts';
import { getJobLogs } from './job-logs.ts';
import { cancelJobRun, getJobResults, startJob } from './job-results.ts';
import { createJob, estimateJob, getJob, listUserJobs, removeJob, updateJob } from './jobs.ts';
import { computeResult } from './sync.ts';
import { getProcessGraph, listUserProcessGraphs, putProcessGraph, removeProcessGraph } from './process-graphs.ts';

/** The one route table: what Express serves and what `GET /` advertises as `endpoints`. */
export function routeTable(backendVersion: string, opts: { oidc: boolean }): Route[] {
  const routes: Route[] = [
    { method: 'get', path: '/', auth: 'none', handler: () => {} },
    { method: 'get', path: '/conformance', auth: 'none', handler: conformance },
    { method: 'get', path: '/credentials/basic', auth: 'none', handler: basicCredentials },
    { method: 'get', path: '/credentials/oidc', auth: 'none', handler: oidcProviders },
    { method: 'get', path: '/me', auth: 'required', handler: me },
    { method: 'get', path: '/file_formats', auth: 'none', handler: fileFormats },
    { method: 'get', path: '/processes', auth: 'none', handler: listProcesses },
    { method: 'get', path: '/collections', auth: 'none', handler: listCollections },
    { method: 'get', path: '/collections/{collection_id}', auth: 'none', handler: getCollection },
    { method: 'get', path: '/collections/{collection_id}/queryables', auth: 'none', handler: getQueryables },
    { method: 'post', path: '/validation', auth: 'optional', handler: validate },
    { method: 'post', path: '/result', auth: 'required', handler: computeResult },
    { method: 'get', path: '/jobs', auth: 'required', handler: listUserJobs },
    { method: 'post', path: '/jobs', auth: 'required', handler: createJob },
    { method: 'get', path: '/jobs/{job_id}', auth: 'required', handler: getJob },
    { method: 'patch', path: '/jobs/{job_id}', auth: 'required', handler: updateJob },
    { method: 'delete', path: '/jobs/{job_id}', auth: 'required', handler: removeJob },
    { method: 'get', path: '/jobs/{job_id}/estimate', auth: 'required', handler: estimateJob },
    { method: 'get', path: '/jobs/{job_id}/logs', auth: 'required', handler: getJobLogs },
    { method: 'get', path: '/jobs/{job_id}/results', auth: 'required', handler: getJobResults },
    { method: 'post', path: '/jobs/{job_id}/results', auth: 'required', handler: startJob },
    { method: 'delete', path: '/jobs/{job_id}/results', auth: 'required', handler: cancelJobRun },
    { method: 'get', path: '/process_graphs', auth: 'required', handler: listUserProcessGraphs },
    { method: 'get', path: '/process_graphs/{process_graph_id}', auth: 'required', handler: getProcessGraph },
    { method: 'put', path: '/process_graphs/{process_graph_id}', auth: 'required', handler: putProcessGraph },
    { method: 'delete', path: '/process_graphs/{process_graph_id}', auth: 'required', handler: removeProcessGraph },
  ];
  // The spec requires at least one provider in /credentials/oidc: without any, the endpoint does not exist.
  const served = opts.oidc ? routes : routes.filter((r) => r.path !== '/credentials/oidc');
  // The capabilities document lists the table it is part of.
  served[0].handler = capabilities(served, backendVersion);
  return served;
}

export { wellKnown };
