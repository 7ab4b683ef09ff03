package io.connectx.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import io.connectx.agent.AgentStarter;
import java.nio.file.Path;

/**
 * {@code attach PID [ARGS]}: loads this jar into a running JVM through its {@code agentmain}. Connections
 * made after it use Fast Open; open ones are untouched. {@code attach PID detach} switches it off again.
 */
final class Attach {
    private Attach() {
    }

    static int run(String[] args, Path agentJar) {
        if (args.length < 1 || args.length > 2 || !args[0].chars().allMatch(Character::isDigit)) {
            System.err.println("connectx: usage: attach PID [KEY=VALUE;...|detach]");
            return 2;
        }
        String agentArgs = args.length == 2 ? args[1] : null;
        try {
            VirtualMachine vm = VirtualMachine.attach(args[0]);
            try {
                vm.loadAgent(agentJar.toString(), agentArgs);
            } finally {
                vm.detach();
            }
            System.out.println("connectx: " + (AgentStarter.DETACH.equals(agentArgs) ? "detach sent to " : "attached to ")
                    + args[0] + "; the target JVM's stderr says what it did");
            return 0;
        } catch (Exception e) {
            System.err.println("connectx: attach to " + args[0] + " failed: " + e
                    + " (same user as the target? started without -XX:+DisableAttachMechanism?)");
            return 1;
        }
    }
}
