import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, any>;

/**
 * Judges values against the schemas of an OpenAPI document (its `components` and any schema that
 * refers to them), as a client generated from the document would read them.
 */
export class OpenApiSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<Schema, ValidateFunction>();
  /** One schema object per component, so its compiled validator is found again (the cache is by identity). */
  private readonly componentRefs = new Map<string, Schema>();

  constructor(doc: { components?: unknown }) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: asJsonSchema(doc.components) });
  }

  /** Why `value` does not match `schema` (one line), or undefined when it does. */
  problem(schema: Schema, value: unknown): string | undefined {
    const validate = this.validatorFor(schema);
    if (validate(value)) return undefined;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ');
  }

  /** The same, for the component schema `name` (#/components/schemas/<name>). */
  componentProblem(name: string, value: unknown): string | undefined {
    let ref = this.componentRefs.get(name);
    if (!ref) this.componentRefs.set(name, (ref = { $ref: `#/components/schemas/${name}` }));
    return this.problem(ref, value);
  }

  private validatorFor(schema: Schema): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
      validate = this.ajv.compile(asJsonSchema(rebased) as Schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/**
 * The document's schemas as Ajv should read them. OpenAPI 3.0's `nullable: true` becomes "null or
 * the schema" (Ajv's own `nullable` only widens a `type` beside it, so a nullable `allOf: [$ref]`,
 * as Swagger writes it, would refuse null). An object that lists its properties is closed: a field
 * the document does not mention is a gap in the document.
 */
function asJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Schema;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'example' ? v : asJsonSchema(v)]));
  if (converted.properties && converted.additionalProperties === undefined) converted.additionalProperties = false;
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}
