{{/* Generated from cdk8s/ (cdk8s/src/helm.ts): do not edit, run make chart. */}}
{{/* Each helper has a TypeScript twin in cdk8s/src (Binding, chart.ts) for plain manifests. */}}

{{- define "gambit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gambit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* (list . "gateway") -> <fullname>-gateway */}}
{{- define "gambit.component" -}}
{{- printf "%s-%s" (include "gambit.fullname" (index . 0)) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gambit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* (list . .Values.gateway.image) -> registry/repository:tag[@digest] */}}
{{- define "gambit.image" -}}
{{- $root := index . 0 -}}
{{- $img := index . 1 -}}
{{- $registry := $img.registry | default $root.Values.image.registry -}}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ $img.repository }}:{{ $tag }}{{ if $img.digest }}@{{ $img.digest }}{{ end }}
{{- end -}}

{{- define "gambit.pullPolicy" -}}
{{- (index . 1).pullPolicy | default (index . 0).Values.image.pullPolicy -}}
{{- end -}}

{{- define "gambit.tokenSecretName" -}}
{{- .Values.auth.existingSecret | default (include "gambit.component" (list . "token")) -}}
{{- end -}}

{{/* The generated guest-token key (Ed25519, PKCS8 PEM): new on install, read back on upgrade so tokens stay valid. */}}
{{- define "gambit.signingKeyValue" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "gambit.component" (list . "token")) -}}
{{- if and $existing $existing.data (hasKey $existing.data .Values.auth.signingKeyKey) -}}
{{- index $existing.data .Values.auth.signingKeyKey -}}
{{- else -}}
{{- genPrivateKey "ed25519" | b64enc -}}
{{- end -}}
{{- end -}}

{{/* REDIS_URL; with auth it embeds $(REDIS_PASSWORD), which Kubernetes expands from the env var before it. */}}
{{- define "gambit.redisUrl" -}}
{{- $auth := ternary ":$(REDIS_PASSWORD)@" "" (ne .Values.redis.auth.existingSecret "") -}}
{{- if .Values.redis.bundled.enabled -}}
redis://{{ $auth }}{{ include "gambit.component" (list . "redis") }}:6379
{{- else -}}
{{ ternary "rediss" "redis" .Values.redis.external.tls }}://{{ $auth }}{{ .Values.redis.external.host }}:{{ .Values.redis.external.port | int64 }}
{{- end -}}
{{- end -}}

{{- define "gambit.dynamodbEndpoint" -}}
{{- if .Values.dynamodb.local.enabled -}}
http://{{ include "gambit.component" (list . "dynamodb") }}:8000
{{- else -}}
{{ .Values.dynamodb.endpoint }}
{{- end -}}
{{- end -}}

{{/* The OpenID Provider of the accounts service: accounts.oidc, else the embedded id-provider. */}}
{{- define "gambit.accountsIssuer" -}}
{{- .Values.accounts.oidc.issuer | default (ternary .Values.idProvider.issuer "" .Values.idProvider.enabled) -}}
{{- end -}}

{{- define "gambit.accountsClientId" -}}
{{- .Values.accounts.oidc.clientId | default (ternary .Values.idProvider.clientId "" .Values.idProvider.enabled) -}}
{{- end -}}

{{- define "gambit.accountsClientSecretName" -}}
{{- .Values.accounts.oidc.existingSecret | default (include "gambit.idProviderSecretName" .) -}}
{{- end -}}

{{- define "gambit.accountsClientSecretKey" -}}
{{- ternary .Values.accounts.oidc.clientSecretKey "client-secret" (ne .Values.accounts.oidc.existingSecret "") -}}
{{- end -}}

{{- define "gambit.idProviderSecretName" -}}
{{- .Values.idProvider.existingSecret | default (include "gambit.component" (list . "id-provider")) -}}
{{- end -}}

{{/* (list . KEY) -> a value of the generated id-provider Secret, base64: new on install, read back on
     upgrade (sessions, cookies and signed tokens stay valid). The signing key is EC P-256 (SEC1 PEM). */}}
{{- define "gambit.idProviderSecretValue" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (include "gambit.component" (list $root "id-provider")) -}}
{{- if and $existing $existing.data (hasKey $existing.data $key) -}}
{{- index $existing.data $key -}}
{{- else if eq $key "signing-key" -}}
{{- genPrivateKey "ecdsa" | b64enc -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end -}}

{{/* A list of CIDRs -> NetworkPolicy peers */}}
{{- define "gambit.ipBlocks" -}}
{{- $out := list -}}
{{- range . }}{{ $out = append $out (dict "ipBlock" (dict "cidr" .)) }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Settings the schema cannot check alone. */}}
{{- define "gambit.validate" -}}
{{- if (and (not .Values.auth.guestTokens) (not .Values.auth.oidc.issuer) (not .Values.accounts.enabled)) }}{{ fail "with auth.guestTokens false, set auth.oidc.issuer or accounts.enabled: nobody could sign in" }}{{ end }}
{{- if (and .Values.accounts.enabled (not .Values.accounts.publicUrl)) }}{{ fail "accounts.publicUrl is required when accounts.enabled is true: the site's public origin, e.g. https://chess.example.com" }}{{ end }}
{{- if (and .Values.idProvider.enabled (not .Values.accounts.enabled)) }}{{ fail "idProvider.enabled needs accounts.enabled: the accounts service is the provider's one client" }}{{ end }}
{{- if (and .Values.idProvider.enabled (not .Values.idProvider.issuer)) }}{{ fail "idProvider.issuer is required when idProvider.enabled is true: the provider's own public origin, e.g. https://id.chess.example.com" }}{{ end }}
{{- if (and .Values.idProvider.enabled (eq .Values.idProvider.issuer .Values.accounts.publicUrl)) }}{{ fail "idProvider.issuer must differ from accounts.publicUrl: the provider needs an origin of its own" }}{{ end }}
{{- if (and .Values.accounts.enabled (not .Values.idProvider.enabled) (not .Values.accounts.oidc.issuer)) }}{{ fail "accounts.enabled needs accounts.oidc.issuer (e.g. the Cognito user pool) or idProvider.enabled" }}{{ end }}
{{- if (and .Values.accounts.enabled (not .Values.idProvider.enabled) (or (not .Values.accounts.oidc.clientId) (not .Values.accounts.oidc.existingSecret))) }}{{ fail "accounts.oidc.issuer needs accounts.oidc.clientId and accounts.oidc.existingSecret (the Secret holding the app client secret)" }}{{ end }}
{{- if (ne (empty .Values.auth.oidc.issuer) (empty .Values.auth.oidc.audience)) }}{{ fail "OIDC needs both auth.oidc.issuer and auth.oidc.audience" }}{{ end }}
{{- if (and (not .Values.redis.bundled.enabled) (not .Values.redis.external.host)) }}{{ fail "redis.external.host is required when redis.bundled.enabled is false" }}{{ end }}
{{- if (and .Values.engine.autoscaling.enabled (gt (int .Values.engine.autoscaling.minReplicas) (int .Values.engine.autoscaling.maxReplicas))) }}{{ fail "engine.autoscaling.minReplicas must not exceed engine.autoscaling.maxReplicas" }}{{ end }}
{{- if (and .Values.roomReaper.enabled .Values.roomReaper.scaler.enabled (gt (int .Values.roomReaper.scaler.minReplicas) (int .Values.roomReaper.scaler.maxReplicas))) }}{{ fail "roomReaper.scaler.minReplicas must not exceed roomReaper.scaler.maxReplicas" }}{{ end }}
{{- if (and .Values.dynamodb.local.enabled .Values.dynamodb.endpoint) }}{{ fail "set either dynamodb.local.enabled or dynamodb.endpoint, not both" }}{{ end }}
{{- if (and .Values.gateway.nlb.certificateArn (ne .Values.gateway.service.type "LoadBalancer")) }}{{ fail "gateway.nlb.certificateArn needs gateway.service.type LoadBalancer (TLS ends at the NLB)" }}{{ end }}
{{- end -}}
