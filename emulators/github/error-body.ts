/** GitHub's error body (REST docs, "Client errors"); `status` is a string, as GitHub sends it. */
export function errorBody(status: number, message: string, errors?: unknown[]) {
  return {
    message,
    ...(errors ? { errors } : {}),
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  };
}
