package io.connectx.agent.weaving;

/**
 * What is woven into one method: a call into a bootstrap bridge on entry, on return, and (for the hooks that
 * may replace what a read or write throws) when the method throws. Each is a bare call with its arguments;
 * which faults are swallowed and which reach the application is the bridge's business.
 * <ul>
 * <li>{@link #enter}: nothing on the operand stack, the parameters untouched.</li>
 * <li>{@link #returned}: the return value (if any) on the stack; it must be left there.</li>
 * <li>{@link #thrown}: the Throwable on the stack, to consume; if the bridge returns instead of throwing,
 * the method returns its type's default value.</li>
 * </ul>
 */
public interface MethodHook {
    /** Whether the entry code leaves a boolean in a local of its own for the exit code. */
    default boolean keepsFlag() {
        return false;
    }

    default void enter(HookedMethod m) {
    }

    default void returned(HookedMethod m) {
    }

    default boolean catchesThrown() {
        return false;
    }

    default void thrown(HookedMethod m) {
    }

    /** A class's binary name ({@code a.b.C}) as bytecode names it ({@code a/b/C}). */
    static String internalName(String binaryName) {
        return binaryName.replace('.', '/');
    }
}
