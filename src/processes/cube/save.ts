import { OpenEOError } from '../../errors.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { CUBE, cubeArg } from './common.ts';
import { cubeServices } from './services.ts';

const saveResult: ProcessDefinition = {
  spec: {
    id: 'save_result',
    summary: 'Save processed data',
    description:
      'Marks a data cube to be written in a file format when the job runs (see `GET /file_formats` for the formats and ' +
      'their options, e.g. `dtype` and `nodata`). Format names are case-insensitive.',
    categories: ['cubes', 'export'],
    parameters: [
      { name: 'data', description: 'The data cube to store.', schema: CUBE },
      { name: 'format', description: 'The output format.', schema: { type: 'string', subtype: 'output-format' } },
      { name: 'options', description: 'Options of the format.', schema: { type: 'object', subtype: 'output-format-options' }, optional: true, default: {} },
    ],
    returns: {
      description: 'The files are described by the job results document (a STAC Item); the process itself yields `true`.',
      schema: [{ type: 'object', subtype: 'stac' }, { type: 'boolean' }],
    },
    exceptions: { FormatUnsuitable: { message: 'Data can\'t be transformed into the requested output format.' } },
  },
  run(args, ctx) {
    const services = cubeServices(ctx, 'save_result');
    const data = cubeArg(args, 'data');
    const format = args.string('format');
    if (!services.hasOutputFormat(format)) {
      throw new OpenEOError('FormatUnsupported', `save_result: the output format '${format}' is not supported; see GET /file_formats.`);
    }
    const options = (args.get('options') as Record<string, unknown> | null) ?? {};
    services.saved.push({ cube: data, format: format.toUpperCase(), options });
    return true;
  },
};

export const saveProcesses: ProcessDefinition[] = [saveResult];
