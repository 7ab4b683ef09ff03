package io.connectx.it;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An application that reads the agent's MBean the way any JMX client does, through the platform MBean
 * server: once before its connections (which also turns on the SYN-data proof) and once after, printing
 * {@code mbean NAME=VALUE} for every attribute. Usage: {@code MetricsApp HOST PORT COUNT}.
 */
public final class MetricsApp {
    static final String[] ATTRIBUTES = {"Connects", "Admitted", "Deferred", "SynDataAcked", "ReadFirstTriggers",
        "ReplayUnsafeHeld", "Fallbacks", "Errors", "ListenersEnabled", "SynDataAccepted", "KeyLoads", "KeyLoadFailures",
        "ListenersKeyed"};

    private MetricsApp() {
    }

    public static void main(String[] args) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.connectx:type=FastOpen");
        System.out.println("before SynDataAcked=" + server.getAttribute(name, "SynDataAcked"));
        int count = Integer.parseInt(args[2]);
        for (int i = 1; i <= count; i++) {
            try (Socket s = new Socket(args[0], Integer.parseInt(args[1]))) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET /" + i + " HTTP/1.1\r\nHost: m\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                s.getInputStream().readAllBytes();
            }
        }
        for (String attribute : ATTRIBUTES) {
            System.out.println("mbean " + attribute + "=" + server.getAttribute(name, attribute));
        }
        System.out.println("version " + server.getAttribute(name, "Version"));
    }
}
