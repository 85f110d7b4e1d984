-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Ticket" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "categoryCode" TEXT NOT NULL,
    "handlingClass" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "location" TEXT,
    "contactPhone" TEXT,
    "residentId" INTEGER NOT NULL,
    "householdId" INTEGER,
    "regionId" INTEGER NOT NULL,
    "gridId" INTEGER,
    "handlingRegionId" INTEGER NOT NULL,
    "level" TEXT NOT NULL,
    "assigneeId" INTEGER,
    "assigneeDepartmentId" INTEGER,
    "acceptBy" DATETIME,
    "resolveBy" DATETIME,
    "callbackBy" DATETIME,
    "pausedAt" DATETIME,
    "resumeState" TEXT,
    "extensionDays" INTEGER,
    "supervised" BOOLEAN NOT NULL DEFAULT false,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "returnCount" INTEGER NOT NULL DEFAULT 0,
    "escalationCount" INTEGER NOT NULL DEFAULT 0,
    "reopenCount" INTEGER NOT NULL DEFAULT 0,
    "extensionCount" INTEGER NOT NULL DEFAULT 0,
    "rating" TEXT,
    "solved" BOOLEAN,
    "acceptedAt" DATETIME,
    "resolvedAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "mergedIntoId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 0,
    "acceptMinutes" INTEGER,
    "acceptedOnTime" BOOLEAN,
    "resolveMinutes" INTEGER,
    "resolvedOnTime" BOOLEAN,
    "callbackRating" TEXT,
    "callbackSolved" BOOLEAN,
    "keywords" TEXT,
    "media" TEXT NOT NULL DEFAULT '[]',
    "latitude" REAL,
    "longitude" REAL,
    "publishedAt" DATETIME,
    "publishedById" INTEGER,
    "publicSummary" TEXT,
    "channel" TEXT,
    "settledOnTheSpot" BOOLEAN NOT NULL DEFAULT false,
    "urgeCount" INTEGER NOT NULL DEFAULT 0,
    "urgedAt" DATETIME,
    CONSTRAINT "Ticket_categoryCode_fkey" FOREIGN KEY ("categoryCode") REFERENCES "Category" ("code") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_handlingRegionId_fkey" FOREIGN KEY ("handlingRegionId") REFERENCES "Region" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_assigneeDepartmentId_fkey" FOREIGN KEY ("assigneeDepartmentId") REFERENCES "Department" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Ticket" ("acceptBy", "acceptMinutes", "acceptedAt", "acceptedOnTime", "assigneeDepartmentId", "assigneeId", "callbackBy", "callbackRating", "callbackSolved", "categoryCode", "channel", "closedAt", "contactPhone", "createdAt", "description", "escalationCount", "extensionCount", "extensionDays", "gridId", "handlingClass", "handlingRegionId", "householdId", "id", "keywords", "kind", "latitude", "level", "location", "longitude", "media", "mergedIntoId", "number", "overdue", "pausedAt", "publicSummary", "publishedAt", "publishedById", "rating", "regionId", "reopenCount", "residentId", "resolveBy", "resolveMinutes", "resolvedAt", "resolvedOnTime", "resumeState", "returnCount", "settledOnTheSpot", "solved", "state", "summary", "supervised", "updatedAt", "version") SELECT "acceptBy", "acceptMinutes", "acceptedAt", "acceptedOnTime", "assigneeDepartmentId", "assigneeId", "callbackBy", "callbackRating", "callbackSolved", "categoryCode", "channel", "closedAt", "contactPhone", "createdAt", "description", "escalationCount", "extensionCount", "extensionDays", "gridId", "handlingClass", "handlingRegionId", "householdId", "id", "keywords", "kind", "latitude", "level", "location", "longitude", "media", "mergedIntoId", "number", "overdue", "pausedAt", "publicSummary", "publishedAt", "publishedById", "rating", "regionId", "reopenCount", "residentId", "resolveBy", "resolveMinutes", "resolvedAt", "resolvedOnTime", "resumeState", "returnCount", "settledOnTheSpot", "solved", "state", "summary", "supervised", "updatedAt", "version" FROM "Ticket";
DROP TABLE "Ticket";
ALTER TABLE "new_Ticket" RENAME TO "Ticket";
CREATE UNIQUE INDEX "Ticket_number_key" ON "Ticket"("number");
CREATE INDEX "Ticket_state_idx" ON "Ticket"("state");
CREATE INDEX "Ticket_regionId_idx" ON "Ticket"("regionId");
CREATE INDEX "Ticket_handlingRegionId_state_idx" ON "Ticket"("handlingRegionId", "state");
CREATE INDEX "Ticket_assigneeId_state_idx" ON "Ticket"("assigneeId", "state");
CREATE INDEX "Ticket_residentId_idx" ON "Ticket"("residentId");
CREATE INDEX "Ticket_createdAt_idx" ON "Ticket"("createdAt");
CREATE INDEX "Ticket_mergedIntoId_idx" ON "Ticket"("mergedIntoId");
CREATE INDEX "Ticket_updatedAt_idx" ON "Ticket"("updatedAt");
CREATE INDEX "Ticket_state_regionId_idx" ON "Ticket"("state", "regionId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
