function __syncctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __syncctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __syncctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __syncctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __syncctl_parse_tokens -S
    set -l unparsed_tokens (__syncctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'syncctl'
        __syncctl_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __syncctl_parse_subcommand 0 'name=' 'config=' 'rendezvous=' 'force' 'h/help'
        case 'id'
            __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
        case 'pair'
            __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'no-wait' 'h/help'
        case 'devices'
            __syncctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
            case 'add'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'name=' 'h/help'
            case 'remove'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'rename'
                __syncctl_parse_subcommand 2 'socket=' 'state-dir=' 'h/help'
            end
        case 'folders'
            __syncctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
            case 'add'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'id=' 'with=+' 'mode=' 'h/help'
            case 'remove'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'pause'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'resume'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'rescan'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'mode'
                __syncctl_parse_subcommand 2 'socket=' 'state-dir=' 'h/help'
            case 'ignore'
                __syncctl_parse_subcommand -r 2 'socket=' 'state-dir=' 'clear' 'h/help'
            end
        case 'status'
            __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
        case 'watch'
            __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'events' 'h/help'
        case 'conflicts'
            __syncctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
            case 'resolve'
                __syncctl_parse_subcommand 2 'socket=' 'state-dir=' 'keep=' 'h/help'
            end
        case 'logs'
            __syncctl_parse_subcommand 0 'file=' 'no-follow' 'unit=' 'h/help'
        case 'call'
            __syncctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'start'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'input=' 'output=' 'h/help'
            case 'accept'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'input=' 'output=' 'h/help'
            case 'reject'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'hangup'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'dtmf'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'duration=' 'gap=' 'call=' 'h/help'
            case 'status'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'json' 'h/help'
            end
        case 'screen'
            __syncctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'share'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'source=' 'size=' 'fps=' 'h/help'
            case 'stop'
                __syncctl_parse_subcommand 1 'socket=' 'state-dir=' 'h/help'
            case 'watch'
                __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'output=' 'frames=' 'from=' 'h/help'
            case 'status'
                __syncctl_parse_subcommand 0 'socket=' 'state-dir=' 'json' 'h/help'
            end
        case 'help'
            __syncctl_parse_subcommand -r 1 
        end
    end
end

function __syncctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __syncctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __syncctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __syncctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__syncctl_tokens -p)
    if test -z "$(__syncctl_tokens -t)"
        set -l index (count (__syncctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'syncctl' -f
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'init' -d 'Create a configuration file and show how to start syncd.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'id' -d 'Print this device\'s ID.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'pair' -d 'Pair with another device by a short code.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'devices' -d 'List, add, remove and rename paired devices.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'folders' -d 'Share folders and control their syncing.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'status' -d 'Show the state of every folder and device.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'watch' -d 'Watch folders sync live (Ctrl-C to stop).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'conflicts' -d 'List conflict copies and resolve them by keeping one side.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'logs' -d 'Follow syncd\'s log.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'call' -d 'Call a paired device, answer, hang up, send DTMF.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'screen' -d 'Share a screen with a paired device, or watch the one shared with you.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl init" name' -l 'name' -d 'The device name (default: the host name).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl init" config' -l 'config' -d 'The configuration file to write (default: $XDG_CONFIG_HOME/peersync/syncd.json).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl init" rendezvous' -l 'rendezvous' -d 'A rendezvous server URL (ws://host:port/ws).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl init" force' -l 'force' -d 'Overwrite an existing file.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl id" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl id" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl id" json' -l 'json' -d 'Print JSON.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl id" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl pair" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl pair" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl pair" no-wait' -l 'no-wait' -d 'Print the code and return at once instead of waiting (check later with `syncctl devices list`).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl pair" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl devices" -eq 1' -fa 'list' -d 'List paired devices.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl devices" -eq 1' -fa 'add' -d 'Pair a device by its ID (run it on both devices).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl devices" -eq 1' -fa 'remove' -d 'Unpair a device (its folders stop syncing with it).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl devices" -eq 1' -fa 'rename' -d 'Rename a paired device.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices list" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices list" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices list" json' -l 'json' -d 'Print JSON.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices add" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices add" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices add" name' -l 'name' -d 'A name for it.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices remove" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices remove" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices rename" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices rename" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl devices rename" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'list' -d 'List shared folders.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'add' -d 'Share a folder (use the same --id on every device).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'remove' -d 'Stop sharing a folder (its files stay).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'pause' -d 'Pause syncing a folder.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'resume' -d 'Resume syncing a folder.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'rescan' -d 'Rescan a folder now.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'mode' -d 'Set a folder\'s mode.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders" -eq 1' -fa 'ignore' -d 'Show or set a folder\'s ignore patterns (gitignore syntax).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders list" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders list" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders list" json' -l 'json' -d 'Print JSON.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl folders add" -eq 1' -fa '(__syncctl_complete_directories)'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add" id' -l 'id' -d 'The folder ID shared by all devices (default: random; give the same ID on the other device).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add"' -l 'with' -d 'A device to share with (repeatable).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add" mode' -l 'mode' -d 'send-receive (default), send-only or receive-only.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders remove" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders remove" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders pause" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders pause" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders pause" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders resume" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders resume" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders rescan" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders rescan" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders rescan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders mode" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders mode" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders mode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders ignore" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders ignore" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders ignore" clear' -l 'clear' -d 'Remove every pattern.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl folders ignore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl status" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl status" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl status" json' -l 'json' -d 'Print JSON (stable field names, for scripts).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl watch" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl watch" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl watch" events' -l 'events' -d 'Print each event as a JSON line instead of progress bars.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl conflicts" -eq 1' -fa 'list' -d 'List conflict copies.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl conflicts" -eq 1' -fa 'resolve' -d 'Keep the current file (winner) or the conflict copy.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts list" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts list" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts list" json' -l 'json' -d 'Print JSON.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts resolve" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts resolve" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts resolve" keep' -l 'keep' -d 'winner (delete the copy) or copy (the copy replaces the file).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl conflicts resolve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl logs" file' -l 'file' -d 'Follow this file instead of the journal (for a syncd started by hand with 2>file).' -rF
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl logs" no-follow' -l 'no-follow' -d 'Print what is there and exit, do not follow.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl logs" unit' -l 'unit' -d 'The systemd unit.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl logs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'start' -d 'Ring a device (`syncctl call <device>`).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'accept' -d 'Answer a ringing call.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'reject' -d 'Refuse a ringing call.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'hangup' -d 'End a call (or stop ringing).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'dtmf' -d 'Send DTMF digits (RFC 4733 telephone-events) in the call.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl call" -eq 1' -fa 'status' -d 'Show the calls (or one).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call start" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call start" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call start" input' -l 'input' -d 'Audio input: tone:<Hz>, a WAV file (48 kHz), pulse[:<source>], null, or default.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call start" output' -l 'output' -d 'Audio output: a WAV file, pulse[:<sink>], null, or default.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call accept" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call accept" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call accept" input' -l 'input' -d 'Audio input: tone:<Hz>, a WAV file (48 kHz), pulse[:<source>], null, or default.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call accept" output' -l 'output' -d 'Audio output: a WAV file, pulse[:<sink>], null, or default.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call accept" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call reject" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call reject" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call reject" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call hangup" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call hangup" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call hangup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" duration' -l 'duration' -d 'Tone length in ms (40–6000).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" gap' -l 'gap' -d 'Gap between tones in ms (30–6000).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" call' -l 'call' -d 'Which call: its device (name, ID or prefix) or call id; needed only when there are several.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call dtmf" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call status" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call status" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call status" json' -l 'json' -d 'Print JSON (a list of calls; one object when a call is named).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl call status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl screen" -eq 1' -fa 'share' -d 'Share the screen with a device.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl screen" -eq 1' -fa 'stop' -d 'Stop sharing the screen.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl screen" -eq 1' -fa 'watch' -d 'Write the screen shared with this device as Y4M (`| ffplay -`).'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_positional "syncctl screen" -eq 1' -fa 'status' -d 'Show the screen shares.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" source' -l 'source' -d 'What to share: x11 (syncd\'s $DISPLAY), x11:<display>, pattern, pattern:<W>x<H>, or a Y4M file (played in a loop). Default: the X11 screen when syncd has a reachable $DISPLAY, else the pattern.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" size' -l 'size' -d 'Frame size <W>x<H> for the X11 screen (scaled to cover, edges cropped; default: the screen\'s own, up to 1920x1088) or the pattern.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" fps' -l 'fps' -d 'Frames per second (1–30).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen share" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen stop" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen stop" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen stop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" output' -l 'output' -d 'Write to this file instead of stdout.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" frames' -l 'frames' -d 'Stop after this many frames.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" from' -l 'from' -d 'The sharing device (name, ID or prefix); needed only when several share with this one.' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen status" socket' -l 'socket' -d 'The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen status" state-dir' -l 'state-dir' -d 'Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).' -rfka ''
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen status" json' -l 'json' -d 'Print JSON.'
complete -c 'syncctl' -n '__syncctl_should_offer_completions_for_flags_or_options "syncctl screen status" h help' -s 'h' -l 'help' -d 'Show help information.'
