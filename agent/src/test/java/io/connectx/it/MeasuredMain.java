package io.connectx.it;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Runs an unmodified application's {@code main} and then prints the agent's MBean, {@code mbean NAME=VALUE}
 * per attribute, as any JMX client would read it ({@code mbean absent} without the agent). SynDataAcked is
 * read once before the application starts, which turns on the agent's per-connection TCP_INFO proof.
 * Usage: {@code MeasuredMain MAIN_CLASS ARGS...}; exits 0 only if the application's main returned normally.
 */
public final class MeasuredMain {
    private MeasuredMain() {
    }

    public static void main(String[] args) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.connectx:type=FastOpen");
        boolean agent = server.isRegistered(name);
        if (agent) {
            server.getAttribute(name, "SynDataAcked");
        }
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.exit(1);
        }
        try {
            for (String attribute : MetricsApp.ATTRIBUTES) {
                System.out.println("mbean " + attribute + "=" + server.getAttribute(name, attribute));
            }
        } catch (InstanceNotFoundException e) {
            System.out.println("mbean absent");
        }
        // Library threads (HTTP client selectors, pools) must not keep the measured run alive.
        System.exit(0);
    }
}
