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

{{/* REDIS_EVENTS_URL: the reader endpoint of your Redis, with the same scheme, password and port. */}}
{{- define "gambit.redisEventsUrl" -}}
{{- $auth := ternary ":$(REDIS_PASSWORD)@" "" (ne .Values.redis.auth.existingSecret "") -}}
{{ ternary "rediss" "redis" .Values.redis.external.tls }}://{{ $auth }}{{ .Values.redis.external.readerHost }}:{{ .Values.redis.external.port | int64 }}
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

{{/* alertmanager.yaml (monitoring.alertmanager); twin: alertmanagerConfig in cdk8s/src/alerting.ts. */}}
{{- define "gambit.alertmanagerConfig" -}}
{{- $am := .Values.monitoring.alertmanager -}}
{{- $secrets := printf "%s/%s" $am.secretsDir $am.existingSecret -}}
{{- $text := printf "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n{{ with .Annotations.runbook }}Runbook: %s{{ . }}\n{{ else }}{{ with .Annotations.runbook_url }}Runbook: {{ . }}\n{{ end }}{{ end }}{{ end }}" $am.runbookBaseUrl -}}
{{- $receivers := list (dict "name" "null") -}}
{{- $routes := list -}}
{{- range $sev := list "critical" "warning" -}}
{{- $r := dict "name" (printf "gambit-%s" $sev) -}}
{{- if and $am.email.enabled (has $sev $am.email.severities) -}}
{{- $e := dict "to" $am.email.to "from" $am.email.from "smarthost" $am.email.smarthost "require_tls" $am.email.requireTls "send_resolved" true -}}
{{- if $am.email.authUsername -}}
{{- $_ := set $e "auth_username" $am.email.authUsername -}}
{{- $_ := set $e "auth_password_file" (printf "%s/%s" $secrets $am.email.passwordKey) -}}
{{- end -}}
{{- $_ := set $r "email_configs" (list $e) -}}
{{- end -}}
{{- if and $am.slack.enabled (has $sev $am.slack.severities) -}}
{{- $s := dict "api_url_file" (printf "%s/%s" $secrets $am.slack.webhookUrlKey) "send_resolved" true "text" $text -}}
{{- if $am.slack.channel }}{{ $_ := set $s "channel" $am.slack.channel }}{{ end -}}
{{- $_ := set $r "slack_configs" (list $s) -}}
{{- end -}}
{{- if and $am.sns.enabled (has $sev $am.sns.severities) -}}
{{- $sigv4 := dict "region" $am.sns.region -}}
{{- if $am.sns.roleArn }}{{ $_ := set $sigv4 "role_arn" $am.sns.roleArn }}{{ end -}}
{{- $_ := set $r "sns_configs" (list (dict "topic_arn" $am.sns.topicArn "sigv4" $sigv4 "message" $text "send_resolved" true)) -}}
{{- end -}}
{{- $receivers = append $receivers $r -}}
{{- $routes = append $routes (dict "matchers" (list (printf "severity=%q" $sev)) "receiver" (printf "gambit-%s" $sev)) -}}
{{- end -}}
{{- $route := dict "receiver" "null" "group_by" (list "alertname" "namespace" "component") "group_wait" $am.groupWait "group_interval" $am.groupInterval "repeat_interval" $am.repeatInterval "routes" $routes -}}
{{- toYaml (dict "route" $route "receivers" $receivers) -}}
{{- end -}}

{{- define "gambit.turnSecretName" -}}
{{- .Values.turn.existingSecret | default (include "gambit.component" (list . "turn")) -}}
{{- end -}}

{{/* coturn's static-auth-secret, base64: new on install, read back on upgrade, so the gateways' credentials keep working. */}}
{{- define "gambit.turnSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "gambit.component" (list . "turn")) -}}
{{- if and $existing $existing.data (hasKey $existing.data .Values.turn.secretKey) -}}
{{- index $existing.data .Values.turn.secretKey -}}
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
{{- if (and .Values.redis.external.cluster (not .Values.redis.bundled.enabled) .Values.redis.external.readerHost) }}{{ fail "redis.external.readerHost is for a Redis with one primary: with redis.external.cluster leave it empty" }}{{ end }}
{{- if (and .Values.redis.external.cluster (not .Values.redis.bundled.enabled) .Values.idProvider.enabled) }}{{ fail "idProvider (the embedded OpenID provider, for development) runs on a single Redis only: with redis.external.cluster use your own provider (accounts.oidc)" }}{{ end }}
{{- if (and .Values.redis.external.replicaReads (not .Values.redis.external.cluster)) }}{{ fail "redis.external.replicaReads is for a Redis Cluster (redis.external.cluster); with one primary set redis.external.readerHost" }}{{ end }}
{{- if (and .Values.redis.external.cluster .Values.redis.bundled.enabled) }}{{ fail "redis.external.cluster needs redis.bundled.enabled=false: the bundled Redis is one server" }}{{ end }}
{{- if (and (eq .Values.engine.commitDurability "replicated") .Values.redis.bundled.enabled) }}{{ fail "engine.commitDurability=replicated needs a Redis with a replica: the bundled Redis has none (use redis.external, with readerHost)" }}{{ end }}
{{- if (and .Values.engine.autoscaling.enabled (gt (int .Values.engine.autoscaling.minReplicas) (int .Values.engine.autoscaling.maxReplicas))) }}{{ fail "engine.autoscaling.minReplicas must not exceed engine.autoscaling.maxReplicas" }}{{ end }}
{{- if (and .Values.roomReaper.enabled .Values.roomReaper.scaler.enabled (gt (int .Values.roomReaper.scaler.minReplicas) (int .Values.roomReaper.scaler.maxReplicas))) }}{{ fail "roomReaper.scaler.minReplicas must not exceed roomReaper.scaler.maxReplicas" }}{{ end }}
{{- if (and .Values.dynamodb.local.enabled .Values.dynamodb.endpoint) }}{{ fail "set either dynamodb.local.enabled or dynamodb.endpoint, not both" }}{{ end }}
{{- if (and .Values.gateway.nlb.certificateArn (ne .Values.gateway.service.type "LoadBalancer")) }}{{ fail "gateway.nlb.certificateArn needs gateway.service.type LoadBalancer (TLS ends at the NLB)" }}{{ end }}
{{- if (and (or (eq .Values.gateway.service.type "NodePort") (and (eq .Values.gateway.service.type "LoadBalancer") (not (and .Values.gateway.nlb.enabled (eq .Values.gateway.nlb.scheme "internal"))))) (not (and (eq .Values.gateway.service.type "LoadBalancer") .Values.gateway.nlb.enabled .Values.gateway.nlb.certificateArn)) (not .Values.gateway.tls.allowPlaintext)) }}{{ fail "the gateway Service is public (gateway.service.type LoadBalancer or NodePort) without TLS: set gateway.nlb.certificateArn (an ACM certificate: https:// and wss:// at the NLB), or use gateway.service.type=ClusterIP behind a TLS ingress of your own, or set gateway.tls.allowPlaintext=true to serve http:// and ws:// in clear on purpose" }}{{ end }}
{{- if (and .Values.accounts.enabled (and (eq .Values.gateway.service.type "LoadBalancer") .Values.gateway.nlb.enabled .Values.gateway.nlb.certificateArn) (hasPrefix "http://" .Values.accounts.publicUrl)) }}{{ fail "accounts.publicUrl must be https:// when the gateway serves TLS (gateway.nlb.certificateArn): it is the sign-in redirect and makes the session cookies Secure" }}{{ end }}
{{- if (and .Values.monitoring.alertmanager.enabled (not (or .Values.monitoring.alertmanager.email.enabled .Values.monitoring.alertmanager.slack.enabled .Values.monitoring.alertmanager.sns.enabled))) }}{{ fail "monitoring.alertmanager.enabled needs a receiver: monitoring.alertmanager.email, .slack or .sns enabled" }}{{ end }}
{{- if (and .Values.monitoring.alertmanager.enabled (or .Values.monitoring.alertmanager.slack.enabled .Values.monitoring.alertmanager.email.authUsername) (not .Values.monitoring.alertmanager.existingSecret)) }}{{ fail "monitoring.alertmanager.slack and email.authUsername need monitoring.alertmanager.existingSecret: the Secret with the webhook URL or SMTP password, mounted into Alertmanager" }}{{ end }}
{{- if (and .Values.monitoring.alertmanager.enabled .Values.monitoring.alertmanager.email.enabled (or (not .Values.monitoring.alertmanager.email.to) (not .Values.monitoring.alertmanager.email.from) (not .Values.monitoring.alertmanager.email.smarthost))) }}{{ fail "monitoring.alertmanager.email needs to, from and smarthost" }}{{ end }}
{{- if (and .Values.monitoring.alertmanager.enabled .Values.monitoring.alertmanager.sns.enabled (or (not .Values.monitoring.alertmanager.sns.topicArn) (not .Values.monitoring.alertmanager.sns.region))) }}{{ fail "monitoring.alertmanager.sns needs topicArn and region" }}{{ end }}
{{- if (and .Values.turn.enabled (not .Values.turn.urls)) }}{{ fail "turn.urls is required when turn.enabled is true: the TURN URLs players' browsers use, e.g. turn:turn.example.com:3478?transport=udp (a DNS name for the public addresses of the coturn nodes)" }}{{ end }}
{{- if (and .Values.turn.enabled (gt (int .Values.turn.relayPorts.min) (int .Values.turn.relayPorts.max))) }}{{ fail "turn.relayPorts.min must not exceed turn.relayPorts.max" }}{{ end }}
{{- if (and .Values.turn.enabled .Values.turn.externalIp (gt (int .Values.turn.replicas) 1)) }}{{ fail "turn.externalIp is one address for every coturn pod, but each pod runs on a node of its own: with turn.replicas above 1 leave turn.externalIp empty (each pod learns its node's public address), or run one replica" }}{{ end }}
{{- if (and .Values.turn.enabled (not .Values.turn.tls.existingSecret) (regexMatch "(^|,)turns:" (join "," .Values.turn.urls))) }}{{ fail "turn.urls has a turns: URL but coturn has no TLS listener: set turn.tls.existingSecret (a kubernetes.io/tls Secret for the TURN host name)" }}{{ end }}
{{- if (and .Values.turn.enabled (or (and (ge (int .Values.turn.port) (int .Values.turn.relayPorts.min)) (le (int .Values.turn.port) (int .Values.turn.relayPorts.max))) (and .Values.turn.tls.existingSecret (or (and (ge (int .Values.turn.tls.port) (int .Values.turn.relayPorts.min)) (le (int .Values.turn.tls.port) (int .Values.turn.relayPorts.max))) (eq (int .Values.turn.tls.port) (int .Values.turn.port)))) (and .Values.turn.metrics.enabled (or (and (ge (int .Values.turn.metrics.port) (int .Values.turn.relayPorts.min)) (le (int .Values.turn.metrics.port) (int .Values.turn.relayPorts.max))) (eq (int .Values.turn.metrics.port) (int .Values.turn.port)) (and .Values.turn.tls.existingSecret (eq (int .Values.turn.metrics.port) (int .Values.turn.tls.port))))))) }}{{ fail "turn.port, turn.tls.port and turn.metrics.port must differ from each other and lie outside turn.relayPorts: they all open on the node" }}{{ end }}
{{- end -}}
