// YAML parsing with the `yaml` package that cdk8s bundles (a bundled dependency of cdk8s, so it is
// there whenever cdk8s is; the repository declares no YAML parser of its own).
import { createRequire } from 'node:module';

interface YamlLib {
  parse(text: string): unknown;
  parseAllDocuments(text: string): { toJS(): unknown; errors: { message: string }[] }[];
}
const require = createRequire(import.meta.url);
const yamlLib = require(require.resolve('yaml', { paths: [require.resolve('cdk8s')] })) as YamlLib;

export const parseYaml = (text: string): unknown => yamlLib.parse(text);

/** Every non-empty document of a multi-document YAML stream. */
export function parseYamlAll(text: string): unknown[] {
  return yamlLib.parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('; '));
    return d.toJS();
  }).filter((d) => d !== null && d !== undefined);
}
