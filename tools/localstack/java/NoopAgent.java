// LocalStack starts DynamoDB Local with -javaagent:ddb-local-loader-0.1.jar,
// an agent it downloads to lift DynamoDB Local's limit of 20 global
// secondary indexes per table. Nothing may be downloaded at run time here,
// and the saga's tables have no GSI: this agent does nothing, so the JVM
// starts with the same command line.
public final class NoopAgent {
    public static void premain(String args) {}
}
