/** How commands reach the LMS: SSH to an edx-worker; a Kubernetes exec implements the same. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
}

export interface ExecOptions {
  timeoutSeconds: number;
  /**
   * Written to the command's standard input, then closed: how a secret reaches a command without
   * appearing in its command line (which hosts log) or a request URL (which API servers audit).
   */
  stdin?: string;
}

export interface ExecTransport {
  /** Runs one shell command line on the host; the transport enforces `timeoutSeconds` as a deadline. */
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}
