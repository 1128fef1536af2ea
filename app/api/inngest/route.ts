import { serve } from "inngest/next";
import { functions } from "@/inngest";
import { inngest } from "@/inngest/client";
import { inngestSettings } from "@/lib/env";

export const maxDuration = 300;

export const { GET, POST, PUT } = serve({ client: inngest, functions, streaming: inngestSettings().streaming });
