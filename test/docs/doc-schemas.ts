/**
 * Reads the served API documents with the reference parsers and checks values against the
 * schemas they give: @asyncapi/parser for /asyncapi.json (message payloads by operation and
 * message name), @apidevtools/swagger-parser for /openapi.json (response schemas by path and
 * status). `check` validates with Ajv (+ajv-formats) twice: as documented, and "closed" (no
 * property the schema does not name, where it does not say otherwise), so that a field the
 * server sends but the document forgets fails too.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIV3_1 } from 'openapi-types';

export async function parseAsyncApi(raw: unknown): Promise<{ document?: AsyncAPIDocumentInterface; diagnostics: Diagnostic[] }> {
  return new Parser().parse(JSON.parse(JSON.stringify(raw)));
}

/** The payload schemas of one operation's messages, by message name (the message `type`). */
export function operationPayloads(doc: AsyncAPIDocumentInterface, operationId: string): Map<string, object> {
  const op = doc.operations().get(operationId);
  if (!op) throw new Error(`no operation ${operationId}`);
  const out = new Map<string, object>();
  for (const m of op.messages().all()) out.set(m.name()!, m.payload()!.json() as object);
  return out;
}

/** The reply payloads of an operation (the SSE control POST's answers), by message name. */
export function replyPayloads(doc: AsyncAPIDocumentInterface, operationId: string): Map<string, object> {
  const reply = doc.operations().get(operationId)?.reply();
  if (!reply) throw new Error(`no reply on ${operationId}`);
  return new Map(reply.messages().all().map((m) => [m.name()!, m.payload()!.json() as object]));
}

/** The dereferenced OpenAPI document (validated: throws on an invalid one). */
export async function parseOpenApi(raw: unknown): Promise<OpenAPIV3_1.Document> {
  await SwaggerParser.validate(JSON.parse(JSON.stringify(raw)));
  return (await SwaggerParser.dereference(JSON.parse(JSON.stringify(raw)))) as OpenAPIV3_1.Document;
}

/** The JSON response schema of `GET path` for `status`. */
export function responseSchema(doc: OpenAPIV3_1.Document, path: string, status: number): object {
  const r = doc.paths?.[path]?.get?.responses?.[String(status)] as OpenAPIV3_1.ResponseObject | undefined;
  const schema = r?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no ${status} JSON schema for GET ${path}`);
  return schema;
}

/** A copy with `additionalProperties: false` on every object schema that names properties and leaves it unset. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' ? v : closed(v);
  if ('properties' in out && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

type Draft = 'draft-07' | '2020-12';

/** Ajv per JSON Schema draft: AsyncAPI 3 schemas are draft-07 supersets, OpenAPI 3.1's are 2020-12. */
export class SchemaCheck {
  readonly #ajv: Ajv;
  readonly #cache = new Map<object, [ValidateFunction, ValidateFunction]>();
  constructor(draft: Draft) {
    // strict: false: the parsers leave their own keys (x-parser-schema-id and the like).
    this.#ajv = draft === '2020-12' ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(this.#ajv);
  }

  /** Problems of `value` against `schema` (empty: valid), documented and closed. */
  check(schema: object, value: unknown): string[] {
    let fns = this.#cache.get(schema);
    if (!fns) this.#cache.set(schema, (fns = [this.#ajv.compile(schema), this.#ajv.compile(closed(schema) as object)]));
    const out: string[] = [];
    for (const [i, fn] of fns.entries()) {
      if (fn(value)) continue;
      out.push(`${i ? 'closed' : 'documented'}: ${this.#ajv.errorsText(fn.errors?.slice(0, 5))}`);
    }
    return out;
  }
}
