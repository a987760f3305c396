"""The MCP server: Concierge's tools for an AI assistant, over stdio and streamable HTTP."""
