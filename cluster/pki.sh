#!/usr/bin/env bash
# Certificates and kubeconfigs of the local cluster, made with openssl: one CA, the
# API server's serving cert, client certs for admin / controller-manager / scheduler /
# kubelet / the API server's kubelet client, the kubelet's serving cert, and the
# service-account signing key. Idempotent: existing files are kept.
# Usage: cluster/pki.sh <pki dir> <kubeconfig dir> <node name> <node ip> <apiserver url>
set -euo pipefail
pki=$1 kc=$2 node=$3 ip=$4 server=$5
mkdir -p "$pki" "$kc"
chmod 700 "$pki" "$kc"
days=3650
umask 077

[[ -f "$pki/ca.key" ]] || {
  openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -days "$days" -subj "/CN=runbench-cluster-ca" -out "$pki/ca.crt" 2>/dev/null
}
[[ -f "$pki/sa.key" ]] || {
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

# cert <name> <subject> <extendedKeyUsage> [subjectAltName]
cert() {
  local name=$1 subj=$2 eku=$3 san=${4:-}
  [[ -f "$pki/$name.crt" ]] && return 0
  local ext; ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days "$days" -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

cert apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:$node,IP:127.0.0.1,IP:$ip,IP:10.96.0.1"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert admin "/O=system:masters/CN=runbench-admin" clientAuth
cert controller-manager "/CN=system:kube-controller-manager" clientAuth
cert scheduler "/CN=system:kube-scheduler" clientAuth
cert kubelet-client "/O=system:nodes/CN=system:node:$node" clientAuth
cert kubelet "/CN=$node" serverAuth "DNS:$node,DNS:localhost,IP:127.0.0.1,IP:$ip"

kubeconfig() {
  local file=$1 user=$2
  local ca crt key
  ca=$(base64 -w0 <"$pki/ca.crt"); crt=$(base64 -w0 <"$pki/$user.crt"); key=$(base64 -w0 <"$pki/$user.key")
  cat >"$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: runbench
  cluster:
    server: $server
    certificate-authority-data: $ca
users:
- name: $user
  user:
    client-certificate-data: $crt
    client-key-data: $key
contexts:
- name: runbench
  context: {cluster: runbench, user: $user}
current-context: runbench
KC
}
kubeconfig "$kc/admin.conf" admin
kubeconfig "$kc/controller-manager.conf" controller-manager
kubeconfig "$kc/scheduler.conf" scheduler
kubeconfig "$kc/kubelet.conf" kubelet-client
