package io.connectx.it;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * An application with a JMX port (started with {@code -Dcom.sun.management.jmxremote.port=...}) that reads
 * the agent's {@code Destinations} once (which starts the counting), makes COUNT GETs to each of the given
 * ports of HOST, prints {@code done}, and waits up to 60 s to be read over JMX and stopped.
 * Usage: {@code DestinationsApp HOST COUNT PORT...}.
 */
public final class DestinationsApp {
    private DestinationsApp() {
    }

    public static void main(String[] args) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CompositeData[] before = (CompositeData[]) server.getAttribute(new ObjectName("io.connectx:type=FastOpen"), "Destinations");
        System.out.println("before " + before.length);
        int count = Integer.parseInt(args[1]);
        for (int p = 2; p < args.length; p++) {
            for (int i = 1; i <= count; i++) {
                try (Socket s = new Socket(args[0], Integer.parseInt(args[p]))) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(("GET /" + i + " HTTP/1.1\r\nHost: d\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    s.getInputStream().readAllBytes();
                }
            }
        }
        System.out.println("done");
        Thread.sleep(60_000);
    }
}
