package io.connectx.it;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.logging.LogManager;

/**
 * An application that brings its own LogManager, as JBoss LogManager or log4j-jul users do. With
 * {@code set-in-main} it sets {@code java.util.logging.manager} as main's first act; otherwise it is given
 * on the command line. It then connects (an agent that admits the destination binds JNA there, whose
 * initialiser asks java.util.logging for a Logger) and prints which LogManager the JVM ended up with, and
 * whether it was made after main began.
 */
public final class OwnLogManagerApp {
    static volatile boolean mainStarted;

    private OwnLogManagerApp() {
    }

    /** The application's own LogManager; records when the JVM made it. */
    public static final class OwnLogManager extends LogManager {
        static volatile boolean madeAfterMainStarted;

        public OwnLogManager() {
            madeAfterMainStarted = mainStarted;
        }
    }

    public static void main(String[] args) throws Exception {
        mainStarted = true;
        if (args.length > 0 && args[0].equals("set-in-main")) {
            System.setProperty("java.util.logging.manager", OwnLogManager.class.getName());
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
            client.getOutputStream().write(1); // first: with a cookie, the SYN waits for it
            try (Socket accepted = server.accept()) {
                System.out.println("connected " + (accepted.getInputStream().read() == 1));
            }
        }
        System.out.println("logmanager " + LogManager.getLogManager().getClass().getName());
        System.out.println("made-after-main " + OwnLogManager.madeAfterMainStarted);
    }
}
