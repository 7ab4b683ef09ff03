package io.connectx.it;

import java.io.FileDescriptor;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.management.ObjectName;

/**
 * Runs in a child JVM, as application code: first makes a connection (so that an agent that admits it runs
 * its hooks and binds JNA) and asks for the platform MBean server (so that it registers its MBean), then
 * tries what strong encapsulation denies an application and prints one line per attempt, and one line per
 * JDK package exported or opened to this module beyond what everyone gets. Usage: {@code EncapsulationProbe}.
 */
public final class EncapsulationProbe {
    private EncapsulationProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
            client.getOutputStream().write(1); // first: with a cookie, the SYN waits for it
            try (Socket accepted = server.accept()) {
                System.out.println("connected " + (accepted.getInputStream().read() == 1));
            }
        }
        boolean mbean = ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName("io.connectx:type=FastOpen"));
        System.out.println("mbean " + mbean);
        attempt("unsafe", () -> {
            Object unsafe = Class.forName("jdk.internal.misc.Unsafe").getMethod("getUnsafe").invoke(null);
            unsafe.getClass().getMethod("allocateMemory", long.class).invoke(unsafe, 16L);
        });
        attempt("java.io FileDescriptor.fd", () -> FileDescriptor.class.getDeclaredField("fd").setAccessible(true));
        attempt("java.net Socket.impl", () -> Socket.class.getDeclaredField("impl").setAccessible(true));
        attempt("sun.nio.ch DefaultSelectorProvider.get", () ->
                Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null));
        attempt("sun.nio.ch Net.connect", () -> Class.forName("sun.nio.ch.Net").getDeclaredMethod("connect",
                FileDescriptor.class, InetAddress.class, int.class).setAccessible(true));
        attempt("java.lang.management ManagementFactory.platformMBeanServer", () ->
                ManagementFactory.class.getDeclaredField("platformMBeanServer").setAccessible(true));
        attempt("jdk.internal.misc export", () -> Class.forName("jdk.internal.misc.VM").getMethod("isBooted").invoke(null));
        Module me = EncapsulationProbe.class.getModule();
        List<String> widened = new ArrayList<>();
        for (Module module : ModuleLayer.boot().modules()) {
            for (String pkg : module.getPackages()) {
                if (module.isExported(pkg, me) && !module.isExported(pkg)) {
                    widened.add("exported " + module.getName() + "/" + pkg);
                }
                if (module.isOpen(pkg, me) && !module.isOpen(pkg)) {
                    widened.add("opened " + module.getName() + "/" + pkg);
                }
            }
        }
        Collections.sort(widened);
        widened.forEach(System.out::println);
        System.out.println("widened " + widened.size());
    }

    interface Attempt {
        void run() throws Exception;
    }

    private static void attempt(String what, Attempt attempt) {
        String outcome;
        try {
            attempt.run();
            outcome = "allowed";
        } catch (Exception | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            outcome = "denied " + cause.getClass().getName();
        }
        System.out.println("access " + what + " " + outcome);
    }
}
