/**
 * A tiny text progress bar that knows nothing about terminals: it renders lines and hands them to `write`
 * (e.g. `(s) => process.stderr.write(s)`). On a TTY it redraws one line with `\r`; otherwise it prints a line
 * only every `step` percent, so logs stay short.
 */

/** `[##########----------]  50%  label` for a fraction in [0, 1]. */
export function formatProgressBar(fraction: number, width = 30, label = ''): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  const pct = `${Math.floor(f * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}${label ? `  ${label}` : ''}`;
}

export interface ProgressBarOptions {
  write: (text: string) => void;
  /** Redraw in place (true for terminals). */
  tty?: boolean;
  width?: number;
  /** Without a TTY, print at most once per this many percent (default 10). */
  step?: number;
}

export interface ProgressBar {
  update(fraction: number, label?: string): void;
  /** Draws 100 % and ends the line. */
  done(label?: string): void;
}

export function createProgressBar(o: ProgressBarOptions): ProgressBar {
  const width = o.width ?? 30;
  const step = o.step ?? 10;
  let lastPercent = -1;
  let lastLine = '';
  const draw = (fraction: number, label: string | undefined, final: boolean) => {
    const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
    if (o.tty) {
      const line = formatProgressBar(fraction, width, label);
      if (line === lastLine && !final) return;
      const pad = lastLine.length > line.length ? ' '.repeat(lastLine.length - line.length) : '';
      o.write(`\r${line}${pad}${final ? '\n' : ''}`);
      lastLine = line;
    } else if (final || percent >= lastPercent + step || lastPercent < 0) {
      o.write(`${formatProgressBar(fraction, width, label)}\n`);
    } else return;
    lastPercent = percent;
  };
  return {
    update: (fraction, label) => draw(fraction, label, false),
    done: (label) => draw(1, label, true),
  };
}
