/** How commands reach an edx-worker: SSH today; a Kubernetes exec could implement the same. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
}

export interface ExecTransport {
  /** Runs one shell command line on the host; the transport enforces `timeoutSeconds` as a deadline. */
  exec(command: string, options: { timeoutSeconds: number }): Promise<ExecResult>;
  close(): Promise<void>;
}
