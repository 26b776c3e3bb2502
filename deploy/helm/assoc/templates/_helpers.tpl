{{/* Name of the chart. */}}
{{- define "assoc.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name of the release's objects. */}}
{{- define "assoc.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "assoc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "assoc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of a component: pass (dict "ctx" . "component" "engine"). */}}
{{- define "assoc.selector" -}}
app.kubernetes.io/name: {{ include "assoc.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference: pass (dict "ctx" . "image" .Values.engine.image). */}}
{{- define "assoc.image" -}}
{{- $repo := .image.repository | default .ctx.Values.engine.image.repository -}}
{{- $tag := .image.tag | default .ctx.Values.engine.image.tag | default .ctx.Chart.AppVersion -}}
{{- with .ctx.Values.global.imageRegistry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .) $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* The engine's ServiceAccount-less pod security context (OpenShift sets the ids). */}}
{{- define "assoc.podSecurityContext" -}}
{{- $ctx := deepCopy .sc -}}
{{- if .openshift -}}
{{- $ctx = omit $ctx "runAsUser" "runAsGroup" "fsGroup" -}}
{{- end -}}
{{- toYaml $ctx -}}
{{- end -}}

{{/* The license Secret's name, when there is one. */}}
{{- define "assoc.licenseSecret" -}}
{{- if .Values.licenses.existingSecret -}}
{{- .Values.licenses.existingSecret -}}
{{- else if .Values.licenses.key -}}
{{- printf "%s-license" (include "assoc.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The CA certificates ConfigMap's name. */}}
{{- define "assoc.caConfigMap" -}}
{{- tpl .Values.global.certs.configMap.name . -}}
{{- end -}}

{{/* The router's ServiceAccount name. */}}
{{- define "assoc.routerServiceAccount" -}}
{{- if .Values.router.serviceAccount.create -}}
{{- .Values.router.serviceAccount.name | default (printf "%s-router" (include "assoc.fullname" .)) -}}
{{- else -}}
{{- .Values.router.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* The TLS secret of the ingress: ingress.tls.secretName, else the seed's default-ssl-certificate (namespace/name). */}}
{{- define "assoc.tlsSecret" -}}
{{- if .Values.ingress.tls.secretName -}}
{{- .Values.ingress.tls.secretName -}}
{{- else -}}
{{- $def := index .Values "elastic-infra" "nginx-ingress" "controller" "extraArgs" "default-ssl-certificate" | default "" -}}
{{- if $def -}}{{- last (splitList "/" $def) -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/* The engine's configuration file (assoc serve --config). */}}
{{- define "assoc.engineConfig" -}}
devMode:
  enabled: {{ .Values.devMode.enabled }}
engine:
  acceptEULA: {{ .Values.engine.acceptEULA | quote }}
  addr: ":{{ .Values.engine.port }}"
  metricsAddr: ":{{ .Values.engine.metricsPort }}"
  docsDir: {{ printf "%s/apps" .Values.engine.persistence.mountPath | quote }}
  {{- if not (or .Values.mongodb.uri .Values.mongodb.existingSecret) }}
  dataDir: {{ printf "%s/.assoc" .Values.engine.persistence.mountPath | quote }}
  {{- end }}
  sessionTTL: {{ .Values.engine.sessionTTL | quote }}
  maxSessionTTL: {{ .Values.engine.maxSessionTTL | quote }}
  logLevel: {{ .Values.engine.logLevel }}
  logFormat: {{ .Values.engine.logFormat }}
  allowAnonymous: {{ .Values.engine.allowAnonymous }}
  {{- with .Values.engine.allowedOrigins }}
  allowedOrigins: {{ toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.engine.adminGroups }}
  adminGroups: {{ toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.engine.rules.allow }}
  rulesFile: /etc/assoc/rules/allow.txt
  {{- if .Values.engine.rules.deny }}
  denyRulesFile: /etc/assoc/rules/deny.txt
  {{- end }}
  {{- end }}
  {{- if .Values.global.certs.enabled }}
  caFile: /etc/assoc/certs/ca.pem
  {{- end }}
{{- with (index .Values "identity-providers" "secrets" "idpConfigs") }}
identity-providers:
  secrets:
    idpConfigs: {{ toYaml . | nindent 6 }}
{{- end }}
{{- if and .Values.mongodb.uri (not .Values.mongodb.existingSecret) }}
mongodb:
  uri: {{ .Values.mongodb.uri | quote }}
{{- end }}
licenses:
  assignment: {{ .Values.licenses.assignment }}
  autoUserPass: {{ .Values.licenses.autoUserPass }}
  {{- if include "assoc.licenseSecret" . }}
  keyFile: /etc/assoc/license/key
  publicKeyFile: /etc/assoc/license/public.pem
  {{- end }}
  {{- with .Values.licenses.proxy.uri }}
  proxy:
    uri: {{ . | quote }}
  {{- end }}
{{- end -}}
