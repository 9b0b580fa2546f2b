// DynamoDB Local on 127.0.0.1 only. DynamoDB Local has no bind-address
// option: its Jetty server listens on every interface. This main builds the
// server exactly as DynamoDB Local's own main does (same command line), sets
// every Jetty connector's host to loopback, then starts it. mk/localstack.mk
// installs it as DynamoDBLocal.jar, the name LocalStack and the tests run,
// with the real jar on its Class-Path.
//
// Reflection only, so it compiles without DynamoDB Local's jars; a change
// in DynamoDB Local that removes what it reaches fails the start with a
// message naming the pinned version to check, never a server on 0.0.0.0.

import java.lang.reflect.Field;
import java.lang.reflect.Method;

public final class LoopbackDynamoDBLocal {
    private static final String RUNNER = "software.amazon.dynamodb.services.local.main.ServerRunner";
    private static final String HOST = System.getProperty("ordersaga.bind", "127.0.0.1");

    public static void main(String[] args) throws Exception {
        Object proxy = Class.forName(RUNNER)
                .getMethod("createServerFromCommandLineArgs", String[].class)
                .invoke(null, (Object) args);
        if (proxy == null) {
            return; // -help, or arguments DynamoDB Local already reported
        }
        Object server;
        try {
            Field field = proxy.getClass().getDeclaredField("server");
            field.setAccessible(true);
            server = field.get(proxy);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(
                    "DynamoDBProxyServer has no 'server' field any more: check the pinned DynamoDB Local"
                            + " (DYNAMODB_LOCAL_NPM in mk/localstack.mk)", e);
        }
        Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
        int bound = 0;
        for (Object connector : connectors) {
            Method setHost = connector.getClass().getMethod("setHost", String.class);
            setHost.invoke(connector, HOST);
            bound++;
        }
        if (bound == 0) {
            throw new IllegalStateException("DynamoDB Local's server has no connector to bind to " + HOST);
        }
        proxy.getClass().getMethod("start").invoke(proxy);
        proxy.getClass().getMethod("join").invoke(proxy);
    }
}
