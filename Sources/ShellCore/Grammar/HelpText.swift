/// Help texts. The `endpoint` one is the reference page's help block, verbatim.
public enum HelpText {
    public static let endpoint = """
    Usage:
      calicoctl endpoint show [--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>]
        [--workload=<WORKLOAD_ID>] [--endpoint=<ENDPOINT_ID>] [--detailed]
      calicoctl endpoint <ENDPOINT_ID> profile (append|remove|set) [--host=<HOSTNAME>]
        [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>]  [<PROFILES>...]
      calicoctl endpoint <ENDPOINT_ID> profile show [--host=<HOSTNAME>]
        [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>]

    Description:
      Configure or show endpoints assigned to existing containers

    Options:
     --detailed                         Show additional information
     --host=<HOSTNAME>                  Filters endpoints on a specific host
     --orchestrator=<ORCHESTRATOR_ID>   Filters endpoints created on a specific orchestrator
     --workload=<WORKLOAD_ID>           Filters endpoints on a specific workload
     --endpoint=<ENDPOINT_ID>           Filters endpoints with a specific endpoint ID

    Examples:
        Show all endpoints belonging to 'host1':
            $ calicoctl endpoint show --host=host1

        Add a profile called 'profile-A' to the endpoint a1b2c3d4:
            $ calicoctl endpoint a1b2c3d4 profile append profile-A

        Add a profile called 'profile-A' to the endpoint a1b2c3d4, but faster,
        by providing more specific filters:
            $ calicoctl endpoint a1b2c3d4 profile append profile-A --host=host1 --orchestrator=docker --workload=f9e8d7e6

    """

    /// What `help` prints: every command, one line each, like psql's `\\?`.
    public static let overview = """
    Commands:
      endpoint show [--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>]
        [--workload=<WORKLOAD_ID>] [--endpoint=<ENDPOINT_ID>] [--detailed]
                                    show endpoints: one row per host, or per endpoint with --detailed
      endpoint <ENDPOINT_ID> profile (append|remove|set) [--host=<HOSTNAME>]
        [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>] [<PROFILES>...]
                                    change the profiles of an endpoint
      endpoint <ENDPOINT_ID> profile show [--host=<HOSTNAME>]
        [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>]
                                    list the profiles of an endpoint

    Shell commands:
      help [COMMAND]                this text, or the help of COMMAND (e.g. help endpoint)
      source FILE                   run the commands in FILE (relative to the current script)
      set output table|json         choose how results are printed
      echo TEXT                     print TEXT
      complete LINE                 list the completions for the last word of LINE
      exit [N], quit                leave the shell (with status N)

    A leading 'calicoctl' is ignored, so lines from the documentation can be pasted as they are.

    """
}
