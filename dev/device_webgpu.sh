#!/usr/bin/env bash
# The prepared GPU check of issue 8, run on a lent GPU machine from the repository root by the
# device tool, after `deno run -A dev/pack_device.ts` packed .device/ here:
#
#   run(command: "bash dev/device_webgpu.sh", carry: [".device"], timeout_s: 540)
#
# 1. our model on Deno's WebGPU (the bundled `deno task bench --only <config> --backend webgpu`),
# 2. the PyTorch peer (bench/peer/hrm_torch.py) on CUDA, float32, same config and batch,
# each as JSON under $OUT, with nvidia-smi's view of the GPU. The configuration and batch are the
# ones packed (.device/run.env). A dry run here, on the software adapter:
#   deno run -A dev/pack_device.ts --config tiny --batch 4 --no-gl
#   OUT=/tmp/dev DENO="$(command -v deno)" bash dev/device_webgpu.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
[ -f .device/run.env ] || { echo "no .device/run.env: run dev/pack_device.ts first"; exit 2; }
# shellcheck disable=SC1091
. .device/run.env
log() { echo "[device $(date -u +%H:%M:%S)] $*"; }

# Vulkan and EGL loaders: the GPU image has the NVIDIA driver but no loader libraries.
if ! ldconfig -p | grep -q 'libvulkan.so.1' && compgen -G ".device/gl/*.deb" >/dev/null; then
  for f in .device/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"

DENO=${DENO:-}
if [ -z "$DENO" ]; then
  DENO=/tmp/hrm-deno
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
    .device/deno.xz "$DENO" || { log "cannot unpack .device/deno.xz"; exit 2; }
  chmod +x "$DENO"
fi
nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1 || true
log "deno $("$DENO" --version | head -1); config $CONFIG, batch $BATCH"

# One JSON line on stdout; progress (and any error) in the log.
log "WebGPU: $CONFIG at batch $BATCH"
timeout 360 "$DENO" run -A .device/bench.js --only "$CONFIG" --batch "$BATCH" --backend webgpu \
  --workers 1 --no-peer --json --train-runs 3 --eval-runs 1 >"$OUT/webgpu.json" 2>"$OUT/webgpu.log"
log "WebGPU exit $?"; tail -n 5 "$OUT/webgpu.log"; cat "$OUT/webgpu.json"

log "PyTorch on CUDA: $CONFIG at batch $BATCH"
timeout 150 python3 bench/peer/hrm_torch.py --bench --device cuda --config "$(cat .device/peer.json)" \
  --batch "$BATCH" --train-steps 3 --eval-runs 1 >"$OUT/torch_cuda.json" 2>"$OUT/torch_cuda.log"
log "PyTorch exit $?"; tail -n 3 "$OUT/torch_cuda.log"; cat "$OUT/torch_cuda.json"
