/** The local runtime's own log lines (the handlers log through Powertools), on stderr. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

export const LOG_LEVELS: readonly LogLevel[] = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
];

export interface RuntimeLog {
  readonly level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level);

export const createRuntimeLog = (level: LogLevel): RuntimeLog => {
  const enabled = (at: LogLevel) => rank(at) >= rank(level) && level !== 'SILENT';
  const line = (at: LogLevel, message: string) =>
    process.stderr.write(`${new Date().toISOString()} [local-cloud] ${at} ${message}\n`);
  return {
    level,
    debug: (message) => enabled('DEBUG') && line('DEBUG', message),
    info: (message) => enabled('INFO') && line('INFO', message),
    warn: (message) => enabled('WARN') && line('WARN', message),
    error(message, error) {
      if (!enabled('ERROR')) return;
      const detail =
        error instanceof Error ? `\n${error.stack ?? error.message}` : error ? `\n${String(error)}` : '';
      line('ERROR', `${message}${detail}`);
    },
  };
};
