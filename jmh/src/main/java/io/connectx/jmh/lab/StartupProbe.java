package io.connectx.jmh.lab;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;

/**
 * The trivial main that {@link StartupCost} starts again and again. Its first act is to print
 * {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux, comparable across processes), then the footprint
 * after a full GC: heap used, metaspace used and loaded classes. Prints one line:
 * {@code MAIN_NANOS HEAP_USED_BYTES METASPACE_USED_BYTES LOADED_CLASSES}.
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) {
        long mainNanos = System.nanoTime();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long metaspace = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println(mainNanos + " " + heap + " " + metaspace + " " + classes);
    }
}
