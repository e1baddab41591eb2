/** The window of log lines a source reads: epoch ms bounds and the most lines it returns. */
export interface LogQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
}

/**
 * Where error lines come from: Logs Insights over the stage's log groups when deployed, `npm start`'s own
 * JSON lines locally. A source returns structured lines (parsed JSON objects) at error level, newest
 * first; platform lines that are not JSON (`Task timed out`) come as `{ level, message, timestamp }`.
 */
export interface ErrorLogSource {
  readonly kind: 'cloudwatch-logs-insights' | 'local-files';
  readonly read: (query: LogQuery, signal: AbortSignal) => Promise<readonly Record<string, unknown>[]>;
}

/** What is sent to the model: instructions, the delimited data, the answer's schema and a token cap. */
export interface TriagePrompt {
  readonly system: string;
  readonly user: string;
  readonly maxTokens: number;
  /** JSON Schema of the answer, for Converse structured output. */
  readonly answerSchema: Readonly<Record<string, unknown>>;
}

/** A model behind the Converse API; `id` is reported with every answer it gave. */
export interface TriageModel {
  readonly id: string;
  /** The model's reply text; throws on any transport, status or stop-reason failure. */
  readonly converse: (prompt: TriagePrompt, signal: AbortSignal) => Promise<string>;
}
