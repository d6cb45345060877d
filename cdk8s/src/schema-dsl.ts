// A small language for the chart's values: each setting is declared once, with its type, default,
// limits and description, and from that one declaration come the TypeScript type the constructs
// read (Infer), the defaults, the commented values.yaml and values.schema.json (see values-file.ts).

export type JsonSchema = Record<string, unknown>;

interface Base {
  readonly description: string;
}
export interface StrSpec extends Base {
  readonly kind: 'string';
  readonly default: string;
  readonly schema?: JsonSchema;
}
export interface IntSpec extends Base {
  readonly kind: 'integer';
  readonly default: number;
  readonly minimum?: number;
  readonly maximum?: number;
}
export interface BoolSpec extends Base {
  readonly kind: 'boolean';
  readonly default: boolean;
}
export interface EnumSpec<T extends string = string> extends Base {
  readonly kind: 'enum';
  readonly default: T;
  readonly values: readonly T[];
}
export interface ObjSpec<P extends Record<string, Spec> = Record<string, Spec>> extends Base {
  readonly kind: 'object';
  readonly props: P;
}
/** A free value with its own JSON schema (maps of labels, resources, tolerations, affinity...). */
export interface RawSpec<T = unknown> extends Base {
  readonly kind: 'raw';
  readonly default: T;
  readonly schema: JsonSchema;
}
export type Spec = StrSpec | IntSpec | BoolSpec | EnumSpec | ObjSpec | RawSpec;

export type Infer<S> = S extends StrSpec
  ? string
  : S extends IntSpec
    ? number
    : S extends BoolSpec
      ? boolean
      : S extends EnumSpec<infer T>
        ? T
        : S extends ObjSpec<infer P>
          ? { [K in keyof P]: Infer<P[K]> }
          : S extends RawSpec<infer T>
            ? T
            : never;

export const str = (description: string, def = '', schema?: JsonSchema): StrSpec => ({ kind: 'string', description, default: def, ...(schema ? { schema } : {}) });
export const int = (description: string, def: number, minimum?: number, maximum?: number): IntSpec => ({
  kind: 'integer', description, default: def, ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}),
});
export const bool = (description: string, def: boolean): BoolSpec => ({ kind: 'boolean', description, default: def });
export const oneOf = <const T extends string>(description: string, values: readonly T[], def: NoInfer<T>): EnumSpec<T> => ({ kind: 'enum', description, values, default: def });
export const obj = <P extends Record<string, Spec>>(description: string, props: P): ObjSpec<P> => ({ kind: 'object', description, props });
export const raw = <T>(description: string, def: T, schema: JsonSchema): RawSpec<T> => ({ kind: 'raw', description, default: def, schema });

/** The defaults a declaration describes. */
export function defaults<S extends Spec>(spec: S): Infer<S> {
  if (spec.kind === 'object') {
    return Object.fromEntries(Object.entries(spec.props).map(([k, v]) => [k, defaults(v)])) as Infer<S>;
  }
  return structuredClone(spec.default) as Infer<S>;
}

/** JSON schema (draft-07) of a declaration; every object rejects keys it does not declare. */
export function jsonSchema(spec: Spec): JsonSchema {
  const d = { description: spec.description };
  switch (spec.kind) {
    case 'string':
      return { type: 'string', ...d, ...spec.schema };
    case 'integer':
      return {
        type: 'integer', ...d,
        ...(spec.minimum !== undefined ? { minimum: spec.minimum } : {}),
        ...(spec.maximum !== undefined ? { maximum: spec.maximum } : {}),
      };
    case 'boolean':
      return { type: 'boolean', ...d };
    case 'enum':
      return { type: 'string', enum: [...spec.values], ...d };
    case 'raw':
      return { ...spec.schema, ...d };
    case 'object':
      return {
        type: 'object', ...d, additionalProperties: false,
        properties: Object.fromEntries(Object.entries(spec.props).map(([k, v]) => [k, jsonSchema(v)])),
      };
  }
}

// Schemas shared by several settings.
export const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const quantity: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei)?$' },
    { type: 'number', minimum: 0 },
  ],
};
const quantities = (required: string[]): JsonSchema => ({
  type: 'object', additionalProperties: false, required,
  properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity },
});
export const resourcesSchema: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['requests', 'limits'],
  properties: { requests: quantities(['cpu', 'memory']), limits: quantities(['memory']) },
};
export const tolerationsSchema: JsonSchema = {
  type: 'array',
  items: {
    type: 'object', additionalProperties: false,
    properties: {
      key: { type: 'string' },
      operator: { enum: ['Exists', 'Equal'] },
      value: { type: 'string' },
      effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] },
      tolerationSeconds: { type: 'integer' },
    },
  },
};
export const cidrList: JsonSchema = {
  type: 'array', minItems: 1,
  items: { type: 'string', pattern: '^[0-9a-fA-F.:]+/[0-9]{1,3}$' },
};
export const freeObject: JsonSchema = { type: 'object' };

export interface Resources {
  requests: { cpu: string | number; memory: string | number; 'ephemeral-storage'?: string | number };
  limits: { cpu?: string | number; memory: string | number; 'ephemeral-storage'?: string | number };
}
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}
