/** Prometheus metrics of the chunks computed in this process (API with in-process jobs, or a worker). */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ChunkStats } from '../executor/chunk-stats.ts';

export type ChunkObserver = (stats: ChunkStats) => void;

/** Observes into the registry's chunk metrics, registering them on first use. */
export function chunkMetrics(registry: Registry): ChunkObserver {
  const registers = [registry];
  const existing = registry.getSingleMetric('openeo_chunk_duration_seconds');
  if (existing) return observers.get(existing)!;
  const duration = new Histogram({
    name: 'openeo_chunk_duration_seconds',
    help: 'Wall time to compute and write one output chunk',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const cpu = new Counter({ name: 'openeo_chunk_cpu_seconds_total', help: 'Busy time of the threads computing chunks', registers });
  const read = new Counter({ name: 'openeo_bytes_read_total', help: 'Bytes read from input rasters by chunks', registers });
  const written = new Counter({ name: 'openeo_bytes_written_total', help: 'Bytes of results written by chunks', registers });
  const observe: ChunkObserver = (s) => {
    duration.observe(s.ms / 1000);
    cpu.inc(s.cpuMs / 1000);
    read.inc(s.bytesRead);
    written.inc(s.bytesWritten);
  };
  observers.set(duration, observe);
  return observe;
}

const observers = new WeakMap<object, ChunkObserver>();
