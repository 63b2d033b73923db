/**
 * JSON call to the daemon API with a bearer token, as test/e2e (E2E.api) and test/integration
 * (Stack.api) each wrote it: the body is parsed as JSON when it is JSON, else kept as text.
 */
export interface ApiReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function apiRequest(baseUrl: string, method: string, path: string, token: string, body?: unknown): Promise<ApiReply> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* non-JSON body: keep the text */
  }
  return { status: res.status, body: parsed };
}
