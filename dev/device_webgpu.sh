#!/usr/bin/env bash
# The prepared WebGPU device check (issue 17), run on a lent GPU machine from the repository root by
# the device tool, after `deno run -A dev/pack_device.ts` packed .device/ here:
#
#   run(command: "bash dev/device_webgpu.sh", carry: [".device"], timeout_s: 570)
#
# Stages, each with its own time limit (about 8.5 minutes in all, start-up included), each leaving
# its files under $OUT; the last one assembles them into $OUT/<date>-webgpu-<gpu>.json
# (dev/device_report.ts; copy it to docs/bench/):
#   0. setup: the Vulkan/EGL/X client libraries from .device/gl, DENO_WEBGPU_BACKEND=vulkan,
#      VK_DRIVER_FILES (the driver's ICD), VK_LOADER_DEBUG=error,warn;
#   1. preflight (10 s): nvidia-smi, the ICD json and `ldd` of its library ("not found" = missing),
#      vulkaninfo --summary, Deno's adapter (vendor 4318 = NVIDIA, isFallbackAdapter false);
#   2. the WebGPU probe (GFLOP/s of the model's products at batch 768);
#   3. `deno task conform <case> --backend webgpu` on both golden cases;
#   4. our bench: <config> at <batch> on webgpu (training steps, one 16-segment unroll);
#   5. the PyTorch peer on CUDA: float32 with TF32 off, then bfloat16 autocast.
# A dry run here, on the software adapter (GL, since this machine has no Vulkan driver):
#   deno run -A dev/pack_device.ts --tiny --no-gl --no-deno
#   OUT=/tmp/dev DENO="$(command -v deno)" WEBGPU_BACKEND=gl PYTHON=/usr/bin/python3 \
#     TORCH_DEVICE=cpu bash dev/device_webgpu.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
[ -f .device/run.env ] || { echo "no .device/run.env: run dev/pack_device.ts first"; exit 2; }
# shellcheck disable=SC1091
. .device/run.env
exec 3>&1 # the log's own descriptor: a stage's stdout goes to its file
log() { echo "[device $(date -u +%H:%M:%S)] $*" >&3; }
START=$(date +%s)
: >"$OUT/stages.tsv"
# stage NAME LIMIT_S CMD...: runs CMD under a time limit, records exit code and seconds.
stage() {
  local name=$1 limit=$2 t0 rc
  shift 2
  t0=$(date +%s.%N)
  timeout "$limit" "$@"
  rc=$?
  awk -v n="$name" -v r="$rc" -v a="$(date +%s.%N)" -v b="$t0" \
    'BEGIN { printf "%s\t%s\t%.1f\n", n, r, a - b }' >>"$OUT/stages.tsv"
  log "$name: exit $rc"
  return 0
}

# 0. Libraries and environment.
if ! ldconfig -p | grep -q 'libvulkan.so.1' && compgen -G ".device/gl/*.deb" >/dev/null; then
  for f in .device/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
export DENO_WEBGPU_BACKEND=${WEBGPU_BACKEND:-vulkan}
export VK_LOADER_DEBUG=${VK_LOADER_DEBUG:-error,warn}
icd=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] && { icd=$f; break; }
done
[ -n "$icd" ] && export VK_DRIVER_FILES="$icd"
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
DENO=${DENO:-}
if [ -z "$DENO" ]; then
  DENO=/tmp/hrm-deno
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
    .device/deno.xz "$DENO" || { log "cannot unpack .device/deno.xz"; exit 2; }
  chmod +x "$DENO"
fi
PYTHON=${PYTHON:-python3}
TORCH_DEVICE=${TORCH_DEVICE:-cuda}
log "deno $("$DENO" --version | head -1); $CONFIG at batch $BATCH; DENO_WEBGPU_BACKEND=$DENO_WEBGPU_BACKEND"

# 1. Preflight (10 s in all).
{
  timeout 5 nvidia-smi 2>&1 | head -15
  echo "--- ICD: ${icd:-none found}"
  if [ -n "$icd" ]; then
    cat "$icd"
    lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$icd")
    echo "--- ldd $lib (not found = a library to carry)"
    case "$lib" in /*) path=$lib ;; *) path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}') ;; esac
    ldd "${path:-$lib}" 2>&1 | grep -i 'not found' ||
      echo "no missing libraries"
  fi
  echo "--- vulkaninfo --summary"
  timeout 4 vulkaninfo --summary 2>&1 | head -40
} >"$OUT/nvidia-smi.txt" 2>&1
stage preflight 5 "$DENO" run -A --no-config dev/device_preflight.ts >"$OUT/preflight.json" \
  2>"$OUT/preflight.log"
log "adapter: $(cat "$OUT/preflight.json")"

# 2. The probe.
if [ -f .device/probe.js ]; then
  stage probe "$PROBE_LIMIT" "$DENO" run -A --no-config .device/probe.js --rows "$PROBE_ROWS" --iters 5 \
    --square "$PROBE_SQUARE" >"$OUT/probe.json" 2>"$OUT/probe.log"
fi

# 3. Conformance on WebGPU, both golden cases.
for c in fixtures/hrm-reference/*/; do
  name=$(basename "$c")
  stage "conform-$name" 45 "$DENO" run -A --no-config .device/conform.js "$c" --backend webgpu \
    >"$OUT/conform-$name.log" 2>&1
  tail -n 1 "$OUT/conform-$name.log"
done

# 4. Our model on WebGPU (one process: the bundle holds no Worker script).
stage webgpu-bench 240 "$DENO" run -A --no-config .device/bench.js --only "$CONFIG" \
  --batch "$BATCH" --backend webgpu --workers 1 --no-peer --json --train-runs "$TRAIN_RUNS" \
  --eval-runs "$EVAL_RUNS" >"$OUT/webgpu.json" 2>"$OUT/webgpu.log"
tail -n 3 "$OUT/webgpu.log"

# 5. The PyTorch peer on the same GPU: float32 (TF32 off), then bfloat16 autocast.
stage torch-fp32 60 "$PYTHON" bench/peer/hrm_torch.py --bench --device "$TORCH_DEVICE" \
  --config "$(cat .device/peer.json)" --batch "$BATCH" --train-steps "$TORCH_STEPS" --eval-runs 1 \
  >"$OUT/torch_fp32.json" 2>"$OUT/torch_fp32.log"
stage torch-bf16 40 "$PYTHON" bench/peer/hrm_torch.py --bench --bf16 --device "$TORCH_DEVICE" \
  --config "$(cat .device/peer.json)" --batch "$BATCH" --train-steps "$TORCH_STEPS" --eval-runs 1 \
  >"$OUT/torch_bf16.json" 2>"$OUT/torch_bf16.log"

# 6. The one JSON.
"$DENO" run -A --no-config .device/report.js "$OUT"
log "done in $(($(date +%s) - START)) s"
