// JSON patches applied to an object's final JSON. cdk8s-plus objects render through the generated
// L1 classes, which drop fields they do not know (Helm condition keys, `sleep` in preStop, newer
// fields than Kubernetes 1.28); ApiObject.addJsonPatch runs before that conversion, so the Helm
// markers would vanish. These patches run after it, inside the same toJson().
import { ApiObject, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';

const patched = new WeakMap<ApiObject, JsonPatch[]>();

export function postPatch(target: IConstruct, ...ops: JsonPatch[]): void {
  const api = target instanceof ApiObject ? target : ApiObject.of(target);
  let list = patched.get(api);
  if (!list) {
    list = [];
    patched.set(api, list);
    const render = api.toJson.bind(api);
    const ops = list;
    api.toJson = () => JsonPatch.apply(render(), ...ops);
  }
  list.push(...ops);
}

/** A JSON pointer segment (RFC 6901). */
export const seg = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
