/** What every REST answer must look like: JSON; a non-2xx one a protocol error with a safe message. */
import { expect } from 'vitest';
import { ERROR_CODES } from '../../shared/protocol.js';

/** Fragments that would betray an internal error (a stack, a JS error text, a file path). */
const INTERNAL = /Cannot read|undefined \(reading|is not a function|TypeError|at .*\(|node_modules|\/work\/|\.ts:\d|FST_/;

export interface RestAnswer {
  status: number;
  body: unknown;
}

/** Fetches and parses; fails the test when the body is not JSON. */
export async function answer(url: string, init?: RequestInit): Promise<RestAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${res.status} from ${url.slice(0, 200)} is not JSON: ${text.slice(0, 200)}`);
  }
  expect(res.headers.get('content-type'), url.slice(0, 200)).toMatch(/^application\/json/);
  return { status: res.status, body };
}

/** Asserts the answer is a 2xx, or a 4xx/503 `{type: "error", code, message, t}` with a protocol code. */
export function expectWellFormed(a: RestAnswer, what: string): void {
  expect(a.status === 503 || (a.status >= 200 && a.status < 500), `${what}: status ${a.status}`).toBe(true);
  if (a.status < 300) return;
  const e = a.body as { type?: unknown; code?: unknown; message?: unknown; t?: unknown };
  expect(e.type, what).toBe('error');
  expect(ERROR_CODES as readonly unknown[], what).toContain(e.code);
  expect(typeof e.message, what).toBe('string');
  expect(e.message as string, what).not.toMatch(INTERNAL);
  expect(typeof e.t, what).toBe('number');
}
