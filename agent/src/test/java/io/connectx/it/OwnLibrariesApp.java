package io.connectx.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import net.bytebuddy.ByteBuddy;

/**
 * An application that ships its own JNA and ByteBuddy (older versions, first on its class path) and uses
 * both before it makes the probe's connections. Prints which versions it got.
 */
public final class OwnLibrariesApp {
    private OwnLibrariesApp() {
    }

    public interface CLibrary extends Library {
        int getpid();
    }

    public static void main(String[] args) throws Exception {
        int pid = Native.load("c", CLibrary.class).getpid();
        Class<?> generated = new ByteBuddy().subclass(Object.class).name("app.Generated").make()
                .load(OwnLibrariesApp.class.getClassLoader()).getLoaded();
        // Where the class came from, not Native.VERSION: that constant was inlined at compile time.
        System.out.println("app jna from " + Native.class.getProtectionDomain().getCodeSource().getLocation()
                + " getpid=" + (pid == ProcessHandle.current().pid()));
        System.out.println("app bytebuddy from " + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation()
                + " made " + generated.getName());
        ClientProbe.main(args);
    }
}
