// Where scripts/build-ebpf.js puts the helper: next to this module in dist/, so an installed package finds it.
export const HELPER_PATH = new URL('./learn-ebpf', import.meta.url).pathname;
